package io.jsd.core.internal.qmp;

import java.util.Map;
import java.util.Set;
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
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.jsd.block.BlockException;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpDispatcher;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;

/**
 * Finds commands by name in the service registry (a dynamic whiteboard, so query-commands follows
 * the installed bundles) and runs them one at a time, as QSD's main loop does. Errors are mapped
 * once: OptionException and BlockException become GenericError with their message.
 */
@Component(service = QmpDispatcher.class, immediate = true)
public final class QmpDispatcherImpl implements QmpDispatcher {
    /** Per name, the providers by service id (the lowest id, i.e. the first registered, wins). */
    private final Map<String, ConcurrentSkipListMap<Long, QmpCommand>> commands = new ConcurrentHashMap<>();
    private final ReentrantLock serial = new ReentrantLock();

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
            JsonNode result = c.execute(args, session);
            args.checkAllUsed();
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

    @Override
    public Set<String> commands() {
        Set<String> names = new TreeSet<>();
        commands.forEach((k, v) -> { if (!v.isEmpty()) names.add(k); });
        return names;
    }
}
