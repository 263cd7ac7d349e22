package io.jsd.core.internal.graph;

import io.jsd.objects.ObjectRegistry;
import io.jsd.objects.UserObject;
import io.jsd.qmp.QmpEvents;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * QmpEvents and ObjectRegistry looked up at the moment they are used. A DS reference would
 * activate the QMP monitor while the graph activates, and the monitor's dispatcher reaches the
 * block-export-add command, the export registry and the graph again: a cycle SCR refuses.
 */
public final class LazyServices {
    private LazyServices() {}

    static <S, R> R call(BundleContext bc, Class<S> type, Function<S, R> f, R absent) {
        ServiceReference<S> ref = bc.getServiceReference(type);
        if (ref == null) return absent;
        S s = bc.getService(ref);
        if (s == null) return absent;
        try {
            return f.apply(s);
        } finally {
            bc.ungetService(ref);
        }
    }

    /** Events go to the monitors registered when they are emitted (none yet: dropped, as with no client). */
    public static QmpEvents events(BundleContext bc) {
        return (name, data) -> call(bc, QmpEvents.class, e -> {
            e.emit(name, data);
            return null;
        }, null);
    }

    public static ObjectRegistry objects(BundleContext bc) {
        return new ObjectRegistry() {
            @Override
            public Optional<UserObject> find(String id) {
                return call(bc, ObjectRegistry.class, r -> r.find(id), Optional.empty());
            }

            @Override
            public UserObject require(String id, String type) {
                return call(bc, ObjectRegistry.class, r -> r.require(id, type), null);
            }

            @Override
            public byte[] secret(String id) {
                return call(bc, ObjectRegistry.class, r -> r.secret(id), null);
            }

            @Override
            public List<UserObject> all() {
                return call(bc, ObjectRegistry.class, ObjectRegistry::all, List.of());
            }
        };
    }
}
