package io.jsd.plugins.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * What a plugin's state means to a user: an OSGi bundle is ACTIVE as soon as its activator ran, but
 * its Declarative Services components (block drivers, export types, QMP commands) are enabled by
 * SCR afterwards, on SCR's own thread, and may wait for references. A plugin is reported
 * {@code active} only when SCR has processed it and every enabled component is satisfied with its
 * services registered; before that it is {@code starting}, while a component waits for a missing
 * service or configuration {@code unsatisfied}, and {@code failed} when an activation threw.
 */
record PluginReadiness(String state, List<String> waiting) {
    static final String ACTIVE = "active";
    static final String STARTING = "starting";
    static final String UNSATISFIED = "unsatisfied";
    static final String FAILED = "failed";

    boolean ready() { return ACTIVE.equals(state); }

    /** The readiness of an ACTIVE bundle {@code b}. */
    static PluginReadiness of(ServiceComponentRuntime scr, Bundle b) {
        Object header = b.getHeaders("").get("Service-Component");
        if (header == null || header.toString().isBlank()) return new PluginReadiness(ACTIVE, List.of());
        Collection<ComponentDescriptionDTO> descs = scr.getComponentDescriptionDTOs(b);
        if (descs.isEmpty()) return new PluginReadiness(STARTING, List.of("the DS runtime has not loaded its components yet"));
        List<String> starting = new ArrayList<>();
        List<String> unsatisfied = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (ComponentDescriptionDTO d : descs) {
            if (d.factory != null || !scr.isComponentEnabled(d)) continue;
            Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
            if (configs.isEmpty()) {
                if ("require".equals(d.configurationPolicy)) unsatisfied.add(d.name + ": no configuration");
                else starting.add(d.name + ": not enabled yet");
                continue;
            }
            for (ComponentConfigurationDTO c : configs) {
                switch (c.state) {
                    case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> unsatisfied.add(d.name + ": no configuration");
                    case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> unsatisfied.add(d.name + ": waiting for " + missing(c));
                    case ComponentConfigurationDTO.FAILED_ACTIVATION -> failed.add(d.name + ": " + c.failure);
                    default -> {
                        if (d.serviceInterfaces.length > 0 && !registered(b, c.id)) starting.add(d.name + ": registering its service");
                    }
                }
            }
        }
        if (!failed.isEmpty()) return new PluginReadiness(FAILED, failed);
        if (!unsatisfied.isEmpty()) return new PluginReadiness(UNSATISFIED, unsatisfied);
        if (!starting.isEmpty()) return new PluginReadiness(STARTING, starting);
        return new PluginReadiness(ACTIVE, List.of());
    }

    private static String missing(ComponentConfigurationDTO c) {
        List<String> names = new ArrayList<>();
        for (UnsatisfiedReferenceDTO r : c.unsatisfiedReferences) names.add(r.name);
        return String.join(", ", names);
    }

    /** True once the service of component configuration {@code id} is in the registry. */
    private static boolean registered(Bundle b, long id) {
        ServiceReference<?>[] refs = b.getRegisteredServices();
        if (refs == null) return false;
        for (ServiceReference<?> r : refs) {
            if (Long.valueOf(id).equals(r.getProperty(ComponentConstants.COMPONENT_ID))) return true;
        }
        return false;
    }
}
