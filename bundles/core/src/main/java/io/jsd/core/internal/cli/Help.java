package io.jsd.core.internal.cli;

/** -h and -V texts (QSD's, with JSD's name). */
final class Help {
    private Help() {}

    static String usage(String prog) {
        return """
                Usage: %1$s [options]
                JSD - Java Storage Daemon (compatible with qemu-storage-daemon %2$s)

                  -h, --help             display this help and exit
                  -T, --trace [[enable=]<pattern>][,events=<file>][,file=<file>]
                                         specify tracing options (accepted, no trace events)
                  -V, --version          output version information and exit

                  --blockdev [driver=]<driver>[,node-name=<N>][,discard=ignore|unmap]
                             [,cache.direct=on|off][,cache.no-flush=on|off]
                             [,read-only=on|off][,auto-read-only=on|off]
                             [,force-share=on|off][,detect-zeroes=on|off|unmap]
                             [,driver specific parameters...]
                                         configure a block backend

                  --chardev <options>    configure a character device backend
                                         (socket,id=<id>,path=<path>|host=<host>,port=<port>
                                         [,server=on|off][,wait=on|off] or stdio,id=<id>)

                  --daemonize            daemonize the process, and have the parent exit
                                         once startup is complete

                  --export [type=]nbd,id=<id>,node-name=<node-name>[,name=<export-name>]
                           [,writable=on|off][,bitmap=<name>]
                                         export the specified block node over NBD
                                         (requires --nbd-server)

                  --export [type=]vhost-user-blk,id=<id>,node-name=<node-name>,
                           addr.type=unix,addr.path=<socket-path>[,writable=on|off]
                           [,logical-block-size=<block-size>][,num-queues=<num-queues>]
                                         export the specified block node as a
                                         vhost-user-blk device over UNIX domain socket

                  --monitor [chardev=]name[,mode=control][,pretty[=on|off]]
                                         configure a QMP monitor

                  --nbd-server addr.type=inet,addr.host=<host>,addr.port=<port>
                               [,tls-creds=<id>][,tls-authz=<id>][,max-connections=<n>]
                  --nbd-server addr.type=unix,addr.path=<path>
                               [,tls-creds=<id>][,tls-authz=<id>][,max-connections=<n>]
                                         start an NBD server for exporting block nodes

                  --object help          list object types that can be added
                  --object <type>,help   list properties for the given object type
                  --object <type>[,<property>=<value>...]
                                         create a new object of type <type>, setting
                                         properties in the order they are specified. Note
                                         that the 'id' property must be set.

                  --pidfile <path>       write process ID to a file after startup

                Drivers, export types and QMP commands are OSGi bundles in bundles/:
                query-commands lists what is installed.
                """.formatted(prog, qemuVersion());
    }

    static String version(String prog, String jsdVersion) {
        return prog + " version " + jsdVersion + " (qemu-storage-daemon " + qemuVersion() + " compatible)\n";
    }

    static String qemuVersion() {
        return io.jsd.core.internal.qmp.Monitors.QEMU_MAJOR + "." + io.jsd.core.internal.qmp.Monitors.QEMU_MINOR + "."
                + io.jsd.core.internal.qmp.Monitors.QEMU_MICRO;
    }
}
