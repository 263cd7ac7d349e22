package io.jsd.plugins.internal;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Where the daemon's plugins live. In order: the property {@value #PROPERTY} (framework or system
 * property), the folder core's bundle was installed from (the launcher installs every jar of
 * bundles/ by a {@code reference:file:} location), {@code ${jsd.home}/bundles}.
 */
final class BundlesDir {
    static final String PROPERTY = "jsd.plugins.dir";
    static final String CORE = "io.jsd.core";

    private BundlesDir() {}

    static Optional<Path> find(BundleContext bc) {
        String explicit = bc.getProperty(PROPERTY);
        if (explicit != null && !explicit.isBlank()) return Optional.of(Path.of(explicit).toAbsolutePath().normalize());
        for (Bundle b : bc.getBundles()) {
            if (CORE.equals(b.getSymbolicName())) {
                Optional<Path> f = fileOf(b.getLocation());
                if (f.isPresent() && f.get().getParent() != null) return Optional.of(f.get().getParent());
            }
        }
        String home = bc.getProperty("jsd.home");
        if (home != null) {
            Path p = Path.of(home, "bundles").toAbsolutePath().normalize();
            if (Files.isDirectory(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** The file behind a "reference:file:..." or "file:..." location, if it is one. */
    static Optional<Path> fileOf(String location) {
        if (location == null) return Optional.empty();
        String l = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        if (!l.startsWith("file:")) return Optional.empty();
        try {
            return Optional.of(Path.of(URI.create(l)).toAbsolutePath().normalize());
        } catch (RuntimeException e) {
            // "file:relative/x.jar" or unescaped characters: not a location we manage
            return Optional.empty();
        }
    }

    /** A file the watcher manages: a visible *.jar directly in the folder (editors' and copiers' temp names are not). */
    static boolean isPluginName(Path name) {
        String s = name.getFileName().toString();
        return s.endsWith(".jar") && !s.startsWith(".");
    }
}
