package io.msrconf.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Lets code that prints to a PrintStream print to a command's PrintWriter (UTF-8, flushed per write). */
final class WriterOutputStream extends OutputStream {

    private final PrintWriter writer;

    WriterOutputStream(PrintWriter writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        writer.write(new String(b, off, len, StandardCharsets.UTF_8));
        writer.flush();
    }
}
