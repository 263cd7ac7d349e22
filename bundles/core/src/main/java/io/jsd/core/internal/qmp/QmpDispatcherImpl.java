package io.jsd.core.internal.qmp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockException;
import io.jsd.export.ExportDriver;
import io.jsd.objects.ObjectRegistry;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.options.OptionsSchema;
import io.jsd.options.QapiType;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpDispatcher;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/**
 * Finds commands by name in the service registry (a dynamic whiteboard, so query-commands follows
 * the installed bundles) and runs them one at a time, as QSD's main loop does. Before a command
 * runs, its arguments are checked against its declared schema (with the branches of the installed
 * drivers, export types and object types), so a bad argument changes nothing. Errors are mapped
 * once: OptionException and BlockException become GenericError with their message.
 */
@Component(service = QmpDispatcher.class, immediate = true)
public final class QmpDispatcherImpl implements QmpDispatcher {
    /** Per name, the providers by service id (the lowest id, i.e. the first registered, wins). */
    private final Map<String, ConcurrentSkipListMap<Long, QmpCommand>> commands = new ConcurrentHashMap<>();
    private final ReentrantLock serial = new ReentrantLock();
    private final Map<String, ConcurrentSkipListMap<Long, BlockDriver>> drivers = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentSkipListMap<Long, ExportDriver>> exportTypes = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ObjectRegistry objects;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addDriver(BlockDriver d, Map<String, Object> props) { put(drivers, props.get(BlockDriver.NAME_PROPERTY), props, d); }

    void removeDriver(BlockDriver d, Map<String, Object> props) { remove(drivers, props.get(BlockDriver.NAME_PROPERTY), props); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addExportType(ExportDriver d, Map<String, Object> props) { put(exportTypes, props.get(ExportDriver.TYPE_PROPERTY), props, d); }

    void removeExportType(ExportDriver d, Map<String, Object> props) { remove(exportTypes, props.get(ExportDriver.TYPE_PROPERTY), props); }

    private static <T> void put(Map<String, ConcurrentSkipListMap<Long, T>> m, Object name, Map<String, Object> props, T t) {
        if (name != null) m.computeIfAbsent(name.toString(), k -> new ConcurrentSkipListMap<>()).put(serviceId(props), t);
    }

    private static <T> void remove(Map<String, ConcurrentSkipListMap<Long, T>> m, Object name, Map<String, Object> props) {
        if (name == null) return;
        m.computeIfPresent(name.toString(), (k, v) -> {
            v.remove(serviceId(props));
            return v.isEmpty() ? null : v;
        });
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addCommand(QmpCommand command, Map<String, Object> props) {
        String name = name(props);
        if (name == null) return;
        commands.computeIfAbsent(name, k -> new ConcurrentSkipListMap<>()).put(serviceId(props), command);
    }

    void removeCommand(QmpCommand command, Map<String, Object> props) {
        String name = name(props);
        if (name == null) return;
        commands.computeIfPresent(name, (k, m) -> {
            m.remove(serviceId(props));
            return m.isEmpty() ? null : m;
        });
    }

    private static String name(Map<String, Object> props) {
        Object n = props.get(QmpCommand.NAME_PROPERTY);
        return n == null ? null : n.toString();
    }

    private static long serviceId(Map<String, Object> props) {
        Object id = props.get(Constants.SERVICE_ID);
        return id instanceof Long l ? l : 0L;
    }

    /** The command registered under {@code name}, or null. */
    QmpCommand find(String name) {
        ConcurrentSkipListMap<Long, QmpCommand> m = commands.get(name);
        if (m == null) return null;
        Map.Entry<Long, QmpCommand> e = m.firstEntry();
        return e == null ? null : e.getValue();
    }

    @Override
    public JsonNode dispatch(String command, Options args, QmpSession session) throws QmpException {
        QmpCommand c = find(command);
        if (c == null) throw new QmpException(QmpException.COMMAND_NOT_FOUND, "The command " + command + " has not been found");
        serial.lock();
        try {
            QmpSchema schema = session.commandLine() ? c.commandLineSchema() : c.schema();
            new ArgsChecker(types(schema.types()), args.keyval()).check(args.json(), schema.argType());
            JsonNode result = c.execute(args, session);
            return result == null ? JsonNodeFactory.instance.objectNode() : result;
        } catch (QmpException e) {
            throw e;
        } catch (OptionException | BlockException e) {
            throw (QmpException) QmpException.generic(e.getMessage()).initCause(e); // the command line shows a BlockException's hint
        } catch (RuntimeException e) {
            throw QmpException.generic(e.getMessage() != null ? e.getMessage() : e.toString());
        } catch (Exception e) {
            throw QmpException.generic(e.getMessage() != null ? e.getMessage() : e.toString());
        } finally {
            serial.unlock();
        }
    }

    /** A command's own types with core's shared ones and the unions of what is installed now. */
    private TypeSet types(List<QapiType> own) {
        TypeSet t = new TypeSet().addAll(own);
        Map<String, String> open = new TreeMap<>(), create = new TreeMap<>(), exports = new TreeMap<>(), objs = new TreeMap<>();
        new TreeMap<>(drivers).forEach((name, m) -> {
            if (m.isEmpty()) return;
            BlockDriver d = m.firstEntry().getValue();
            open.put(name, branch(t, d.openSchema()));
            create.put(name, branch(t, d.createSchema()));
        });
        new TreeMap<>(exportTypes).forEach((name, m) -> {
            if (!m.isEmpty()) exports.put(name, branch(t, m.firstEntry().getValue().optionsSchema()));
        });
        ObjectRegistry reg = objects;
        for (String type : reg == null ? List.<String>of() : reg.types()) {
            QapiType.Struct b = ObjectTypeSchemas.BRANCHES.get(type);
            if (b != null) t.add(b);
            objs.put(type, b == null ? "0" : b.name());
        }
        t.add(new QapiType.Enumeration("BlockdevDriver", List.copyOf(open.keySet())));
        t.add(CoreTypes.BLOCKDEV_OPTIONS.union("driver", open));
        t.add(CoreTypes.BLOCKDEV_CREATE_OPTIONS.union("driver", create));
        t.add(new QapiType.Enumeration("BlockExportType", List.copyOf(exports.keySet())));
        t.add(CoreTypes.BLOCK_EXPORT_OPTIONS.union("type", exports));
        t.add(new QapiType.Enumeration("ObjectType", List.copyOf(objs.keySet())));
        t.add(CoreTypes.OBJECT_OPTIONS.union("qom-type", objs));
        t.addAll(CoreTypes.SHARED).addAll(ObjectTypeSchemas.TYPES);
        for (CoreTypes.Event e : CoreTypes.EVENTS) t.add(e.data());
        return t;
    }

    private static String branch(TypeSet t, OptionsSchema s) {
        t.addAll(s.types());
        return s.type() == null ? "0" : s.type();
    }

    @Override
    public ArrayNode introspect() {
        Map<String, QmpSchema> schemas = new TreeMap<>();
        List<QapiType> own = new ArrayList<>();
        for (String name : commands()) {
            QmpCommand c = find(name);
            if (c == null) continue;
            QmpSchema s = c.schema();
            schemas.put(name, s);
            own.addAll(s.types());
        }
        return SchemaInfo.write(schemas, types(own));
    }

    @Override
    public Set<String> commands() {
        Set<String> names = new TreeSet<>();
        commands.forEach((k, v) -> { if (!v.isEmpty()) names.add(k); });
        return names;
    }
}
