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
}
