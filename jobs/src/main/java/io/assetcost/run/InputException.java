package io.assetcost.run;

/**
 * An input or option the job cannot use at all: a path that does not exist, a file of an unknown kind,
 * a CSV without its header columns, a broken rate card. The job exits with code 2 and prints the message,
 * which names the path and says what to fix; nothing is written. (A single bad record is not this: it
 * goes to quarantine.)
 */
public class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the path or option and what is wrong with it
     */
    public InputException(String message) {
        super(oneLine(message));
    }

    /**
     * @param message one line naming the path or option and what is wrong with it
     * @param cause the underlying failure
     */
    public InputException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /**
     * The message with its line breaks written as {@code \n} and {@code \r}: a message quotes what it found (a
     * cell, a header, a parser's complaint), which may hold one, and the job prints the message as its one
     * line.
     */
    private static String oneLine(String message) {
        return message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n");
    }
}
