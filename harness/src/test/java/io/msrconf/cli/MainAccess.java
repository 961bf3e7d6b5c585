package io.msrconf.cli;

import java.io.PrintStream;

/** Lets tests in other packages call the CLI in-process, with their own output streams. */
public final class MainAccess {

    private MainAccess() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Main.run(args, out, err);
    }
}
