package io.jsd.export;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.qmp.QmpSession;

/** The exports core owns (block-export-add / -del / query-block-exports). */
@ProviderType
public interface ExportRegistry {
    /** block-export-add: a BlockExportOptions object. */
    void add(io.jsd.options.Options options, QmpSession session) throws Exception;

    /** block-export-del; {@code hard} drops clients, otherwise in-use exports are refused. */
    void delete(String id, boolean hard) throws Exception;

    /** query-block-exports entries: {"type","id","node-name","shutting-down"}. */
    List<ObjectNode> describe();
}
