package io.jsd.qmp;

/** A QMP error reply: {"error": {"class": errorClass, "desc": message}}. */
public class QmpException extends Exception {
    private static final long serialVersionUID = 1L;

    public static final String GENERIC_ERROR = "GenericError";
    public static final String COMMAND_NOT_FOUND = "CommandNotFound";
    public static final String DEVICE_NOT_FOUND = "DeviceNotFound";

    private final String errorClass;

    public QmpException(String errorClass, String message) {
        super(message);
        this.errorClass = errorClass;
    }

    public static QmpException generic(String message) { return new QmpException(GENERIC_ERROR, message); }

    public String errorClass() { return errorClass; }
}
