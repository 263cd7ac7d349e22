package io.jsd.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An object created with --object / object-add: its qom-type, id and properties as given. */
public record UserObject(String type, String id, ObjectNode props) {}
