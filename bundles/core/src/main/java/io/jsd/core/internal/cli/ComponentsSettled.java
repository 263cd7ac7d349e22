package io.jsd.core.internal.cli;

import java.util.Collection;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Felix SCR enables the components of a started bundle on its own thread, so "every bundle started"
 * does not yet mean "every driver and QMP command registered". Before running --blockdev and the
 * like, the command line waits until SCR has processed every active bundle that declares
 * components and each enabled component has a configuration (bounded wait).
 */
final class ComponentsSettled {
    private ComponentsSettled() {}

    static void await(BundleContext context, ServiceComponentRuntime scr, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline && !settled(context, scr)) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean settled(BundleContext context, ServiceComponentRuntime scr) {
        for (Bundle b : context.getBundles()) {
            if (b.getState() != Bundle.ACTIVE || b.getHeaders().get("Service-Component") == null) continue;
            Collection<ComponentDescriptionDTO> descs = scr.getComponentDescriptionDTOs(b);
            if (descs.isEmpty()) return false;
            for (ComponentDescriptionDTO d : descs) {
                if (d.factory == null && scr.isComponentEnabled(d) && scr.getComponentConfigurationDTOs(d).isEmpty()) return false;
            }
        }
        return true;
    }
}
