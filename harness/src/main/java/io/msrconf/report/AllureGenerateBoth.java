package io.msrconf.report;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The main class of the one JVM that makes both Allure reports: allure-commandline's own {@code CommandLine}, called
 * twice at once, the multi-file and the single-file generation side by side. Started by {@link AllureHtml} with
 * allure-commandline's lib/ on the class path (this class compiles against none of it: it is reached by name), so one
 * JVM start and one warm-up serve both reports instead of two.
 *
 * <p>Arguments: ALLURE_HOME RESULTS_DIR HTML_DIR SINGLE_FILE_DIR. Exit status 0 when both reports were generated;
 * 1 otherwise, with what failed on standard error.
 */
public final class AllureGenerateBoth {

    private AllureGenerateBoth() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: AllureGenerateBoth ALLURE_HOME RESULTS_DIR HTML_DIR SINGLE_FILE_DIR");
            System.exit(2);
        }
        Path home = Path.of(args[0]);
        String results = args[1];
        List<String[]> generations = List.of(
                new String[] {"generate", "--clean", "-o", args[2], results},
                new String[] {"generate", "--clean", "--single-file", "-o", args[3], results});
        ExecutorService pool = Executors.newFixedThreadPool(generations.size());
        List<String> failures = new ArrayList<>();
        try {
            List<Future<String>> running = new ArrayList<>();
            for (String[] g : generations) {
                running.add(pool.submit(() -> generate(home, g)));
            }
            for (Future<String> f : running) {
                String failure = f.get();
                if (failure != null) {
                    failures.add(failure);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        failures.forEach(System.err::println);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** One {@code allure ARGS} as its CommandLine runs it; null when it succeeded, else what went wrong. */
    private static String generate(Path home, String[] args) throws ReflectiveOperationException {
        Class<?> commandLine = Class.forName("io.qameta.allure.CommandLine");
        Constructor<?> make = commandLine.getConstructor(Path.class);
        Object cli = make.newInstance(home);
        Method parse = commandLine.getMethod("parse", String[].class);
        java.util.Optional<?> parseError = (java.util.Optional<?>) parse.invoke(cli, (Object) args);
        if (parseError.isPresent()) {
            return "allure " + String.join(" ", args) + ": the arguments were refused (" + parseError.get() + ")";
        }
        Object exit = commandLine.getMethod("run").invoke(cli);
        boolean success = (Boolean) exit.getClass().getMethod("isSuccess").invoke(exit);
        return success ? null : "allure " + String.join(" ", args) + " ended with " + exit;
    }
}
