package io.jsd.core.internal.objects;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.objects.ObjectRegistry;
import io.jsd.objects.UserObject;

/** The objects made by --object / object-add, in creation order. A secret's file is read at creation, as qemu does. */
@Component(service = {ObjectRegistry.class, ObjectRegistryImpl.class}, immediate = true)
public final class ObjectRegistryImpl implements ObjectRegistry {
    private final Map<String, UserObject> objects = new LinkedHashMap<>();
    private final Map<String, byte[]> secrets = new LinkedHashMap<>();

    @Override
    public synchronized Optional<UserObject> find(String id) { return Optional.ofNullable(objects.get(id)); }

    @Override
    public synchronized UserObject require(String id, String type) {
        UserObject o = objects.get(id);
        if (o == null) throw new OptionException("No " + type + " with id '" + id + "'");
        if (!o.type().equals(type)) throw new OptionException("Object '" + id + "' is not a " + type);
        return o;
    }

    @Override
    public synchronized byte[] secret(String id) {
        require(id, "secret");
        return secrets.get(id).clone();
    }

    @Override
    public synchronized List<UserObject> all() { return new ArrayList<>(objects.values()); }

    @Override
    public List<String> types() { return new ArrayList<>(ObjectTypes.TYPES.keySet()); }

    /** The types --object help lists: QSD's QOM types, one more than object-add can create (authz-list-file). */
    public List<String> helpTypes() { return new ArrayList<>(ObjectTypes.HELP.keySet()); }

    /** Property help for --object TYPE,help (null for an unknown type). */
    public List<String> help(String type) { return ObjectTypes.HELP.get(type); }

    @Override
    public synchronized UserObject add(Options args) {
        String type = args.choice("qom-type", null, ObjectTypes.TYPES.keySet().toArray(String[]::new));
        if (type == null) throw args.missing("qom-type");
        String id = args.string("id");
        if (!wellFormed(id)) throw new OptionException("Parameter 'id' expects an identifier");
        ObjectTypes.TYPES.get(type).apply(args);
        args.checkAllUsed();
        if (objects.containsKey(id)) throw new OptionException("attempt to add duplicate property '" + id + "' to object (type 'container')");
        ObjectNode props = args.json().deepCopy();
        props.remove("qom-type");
        props.remove("id");
        if (type.equals("secret")) secrets.put(id, loadSecret(args));
        UserObject o = new UserObject(type, id, props);
        objects.put(id, o);
        return o;
    }

    @Override
    public synchronized void delete(String id) {
        if (objects.remove(id) == null) throw new OptionException("object '" + id + "' not found");
        secrets.remove(id);
    }

    /** qemu's id_wellformed. */
    static boolean wellFormed(String id) { return io.jsd.core.internal.Ids.wellFormed(id); }

    private static byte[] loadSecret(Options o) {
        byte[] raw;
        if (o.has("data")) {
            raw = o.json().get("data").asText().getBytes(StandardCharsets.UTF_8);
        } else {
            String file = o.json().get("file").asText();
            try {
                raw = Files.readAllBytes(Path.of(file));
            } catch (IOException e) {
                throw new OptionException("Unable to read " + file + ": Failed to open file \u201c" + file + "\u201d: No such file or directory");
            }
        }
        String format = o.json().has("format") ? o.json().get("format").asText() : "raw";
        if (format.equals("base64")) {
            try {
                return Base64.getDecoder().decode(new String(raw, StandardCharsets.US_ASCII).trim());
            } catch (IllegalArgumentException e) {
                throw new OptionException("Invalid base64 data in secret");
            }
        }
        return raw;
    }
}
