package io.jsd.objects;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The user objects core holds (secret, iothread, tls-creds-x509, throttle-group, ...). */
@ProviderType
public interface ObjectRegistry {
    Optional<UserObject> find(String id);

    /** Finds an object of the given qom-type or fails with qemu's message. */
    UserObject require(String id, String type);

    /** The bytes of a secret object (data=, or file=, decoded per its format=). */
    byte[] secret(String id);

    List<UserObject> all();

    /**
     * object-add / --object: creates an object from {@code qom-type}, {@code id} and the type's
     * properties, failing with qemu's message (unknown type, duplicate id, missing or bad property).
     * @since 1.1
     */
    default UserObject add(io.jsd.options.Options args) { throw new UnsupportedOperationException("object-add"); }

    /** object-del: removes the object or fails with "object 'ID' not found". @since 1.1 */
    default void delete(String id) { throw new UnsupportedOperationException("object-del"); }

    /** The qom-types that can be created, sorted (--object help). @since 1.1 */
    default List<String> types() { return List.of(); }
}
