package io.jsd.nbd.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.objects.ObjectRegistry;
import io.jsd.objects.UserObject;
import io.jsd.options.OptionException;

/** An ObjectRegistry for tests (what --object would have created). */
final class TestObjects implements ObjectRegistry {
    private final Map<String, UserObject> objects = new LinkedHashMap<>();

    TestObjects add(String type, String id, ObjectNode props) {
        objects.put(id, new UserObject(type, id, props));
        return this;
    }

    @Override public Optional<UserObject> find(String id) { return Optional.ofNullable(objects.get(id)); }

    @Override
    public UserObject require(String id, String type) {
        UserObject o = objects.get(id);
        if (o == null || !o.type().equals(type)) throw new OptionException("Cannot find object '" + id + "'");
        return o;
    }

    @Override public byte[] secret(String id) { throw new OptionException("no secrets here"); }

    @Override public List<UserObject> all() { return new ArrayList<>(objects.values()); }
}
