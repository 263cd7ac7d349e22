package io.jsd.bench;

import java.lang.reflect.Field;

/**
 * Wires a Declarative Services component by hand, the way Felix SCR does for a field
 * {@code @Reference}: set the field reflectively. Lets a benchmark build the NBD export out of its
 * public component classes without an OSGi framework and without reaching into package-private
 * constructors.
 */
final class Components {
    private Components() {}

    static <T> T inject(T component, String field, Object service) {
        try {
            Field f = component.getClass().getDeclaredField(field);
            f.setAccessible(true);
            f.set(component, service);
            return component;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot inject " + field + " into " + component.getClass().getName()
                    + " (did its @Reference field change?)", e);
        }
    }
}
