package io.msrconf.report;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.guest.Payload;
import io.msrconf.pipeline.RunListener;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.TargetInfo;
import io.msrconf.pipeline.TestResult;
import io.msrconf.spec.Case;
import io.qameta.allure.FileSystemResultsWriter;
import io.qameta.allure.model.Attachment;
import io.qameta.allure.model.Label;
import io.qameta.allure.model.Link;
import io.qameta.allure.model.Parameter;
import io.qameta.allure.model.Stage;
import io.qameta.allure.model.Status;
import io.qameta.allure.model.StatusDetails;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes each test of a run as an Allure 2 result (a listener on the pipeline): labels that make the
 * tree backend > spec area, the case id as the history key, links to the documentation the case cites,
 * and the attachments a kernel developer needs ({@link Attachments}); at the end, the environment,
 * the triage categories and, in CI, the executor.
 *
 * @param kernelDimension several kernels' results share one report (the kernel matrix): the kernel is
 *                        then part of each test's suite and history id, so the same case on two kernels
 *                        is two tests, not a retry
 */
public final class AllureResults implements RunListener {

    private final Path dir;
    private final boolean kernelDimension;
    private final FileSystemResultsWriter writer;
    private final Payload payload = Payload.load(Payload.MSR_SCRIPT);
    private long lastFinished = System.currentTimeMillis();

    public AllureResults(Path dir, boolean kernelDimension) {
        this.dir = dir;
        this.kernelDimension = kernelDimension;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Allure results directory " + dir + ": " + e.getMessage(), e);
        }
        this.writer = new FileSystemResultsWriter(dir);
    }

    @Override
    public void testFinished(TestResult r) {
        long now = System.currentTimeMillis();
        String uuid = UUID.randomUUID().toString();
        io.qameta.allure.model.TestResult t = new io.qameta.allure.model.TestResult()
                .setUuid(uuid)
                .setName(name(r))
                .setFullName(r.backend() + ":" + r.id())
                .setStart(lastFinished)
                .setStop(now)
                .setStage(Stage.FINISHED)
                .setStatus(status(r.status()))
                .setLabels(labels(r))
                .setParameters(parameters(r));
        lastFinished = now;
        String kernel = r.target() == null ? "" : "@" + r.target().kernelRelease() + " " + r.target().kvmModule();
        t.setTestCaseId(r.id() + "@" + r.backend());
        t.setHistoryId(r.id() + "@" + r.backend() + (kernelDimension ? kernel : ""));
        if (!r.message().isEmpty()) {
            t.setStatusDetails(new StatusDetails().setMessage(r.message()));
        }
        if (r.spec() != null) {
            Case c = r.spec();
            // As HTML we escaped, never as "description": Allure turns that into HTML as Markdown, which
            // passes markup through, so a spec's text would run as script in the report.
            t.setDescriptionHtml("<pre>" + HtmlText.escape("Checks:\n" + c.citation().text() + "\n\nSpec: " + c.source()
                    + (r.target() == null ? "" : "\n\n" + (r.backend().equals(EmulatorBackend.NAME)
                            ? "The emulator models the KVM of: " : "Target: ") + r.target().name() + ", " + r.target().describe())
                    + "\n\nGuest access script:\n" + Attachments.guestAccessScript(c)) + "</pre>");
            List<Link> links = new ArrayList<>();
            CitationLinks.of(c.citation()).forEach(l -> links.add(new Link().setName(l.name()).setUrl(l.url())));
            t.setLinks(links);
            List<Attachment> attachments = new ArrayList<>();
            Attachments.of(r, payload).forEach((attachmentName, text) -> attachments.add(attach(attachmentName, text)));
            t.setAttachments(attachments);
        }
        try {
            writer.write(t);
        } catch (io.qameta.allure.AllureResultsWriteException e) {
            throw new UncheckedIOException("cannot write an Allure result into " + dir + ": " + e.getMessage(),
                    e.getCause() instanceof IOException io ? io : new IOException(e));
        }
    }

    @Override
    public void runFinished(RunSummary summary) {
        try {
            AllureOutputs.write(dir, summary.environment());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Allure environment into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * An attachment's file is named by its content: a text several tests attach (a case's filter on every backend and
     * kernel, the same expected vs actual on KVM and on the emulator) is one file, which Allure reads, and probes for
     * its media type with Apache Tika (the most costly step of a report), once.
     */
    private Attachment attach(String name, String text) {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        String source = contentName(content) + "-attachment.txt";
        // a file of that name holds that text: written for an earlier test, or by an earlier run into this directory
        if (!Files.isRegularFile(dir.resolve(source))) {
            try {
                writer.write(source, new ByteArrayInputStream(content));
            } catch (io.qameta.allure.AllureResultsWriteException e) {
                throw new UncheckedIOException("cannot write an Allure attachment into " + dir + ": " + e.getMessage(),
                        e.getCause() instanceof IOException io ? io : new IOException(e));
            }
        }
        return new Attachment().setName(name).setType("text/plain").setSource(source);
    }

    /** 128 bits of the content's SHA-256, in hex. */
    private static String contentName(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static String name(TestResult r) {
        return switch (r.kind()) {
            case CASE -> r.id() + " [" + r.backend() + "] — " + r.spec().title();
            case DIFFERENTIAL -> r.id() + " — KVM vs model";
            case INPUT_ERROR -> r.message().lines().findFirst().orElse("malformed input");
        };
    }

    private static Status status(RunSummary.Status s) {
        return switch (s) {
            case PASSED -> Status.PASSED;
            case FAILED, DEVIATION_NOT_REPRODUCED -> Status.FAILED;
            case SKIPPED, KNOWN_DEVIATION -> Status.SKIPPED;
        };
    }

    /** Epic/feature/story from the spec, the tree backend (on kernel) > area, the case id. */
    private List<Label> labels(TestResult r) {
        List<Label> labels = new ArrayList<>();
        labels.add(label("epic", "KVM MSR filter semantics"));
        if (r.spec() == null) {
            labels.add(label("parentSuite", "input errors"));
            return labels;
        }
        TargetInfo target = r.target();
        boolean onKernel = kernelDimension && target != null && !r.backend().equals(EmulatorBackend.NAME);
        labels.add(label("parentSuite", onKernel ? r.backend() + " on " + target.kernelRelease() + " " + target.kvmModule() : r.backend()));
        labels.add(label("suite", r.spec().area()));
        labels.add(label("feature", r.spec().area()));
        labels.add(label("story", r.spec().title()));
        labels.add(label("caseId", r.id()));
        return labels;
    }

    /** The backend, and where it ran: a KVM target's kernel, module and CPU; none of those for the emulator. */
    private static List<Parameter> parameters(TestResult r) {
        List<Parameter> p = new ArrayList<>();
        p.add(new Parameter().setName("backend").setValue(r.backend()));
        if (r.target() != null && !r.backend().equals(EmulatorBackend.NAME)) {
            p.add(new Parameter().setName("kernel").setValue(r.target().kernelRelease()));
            p.add(new Parameter().setName("kvm module").setValue(r.target().kvmModule()));
            p.add(new Parameter().setName("cpu").setValue(r.target().cpuModel()));
        }
        return p;
    }

    private static Label label(String name, String value) {
        return new Label().setName(name).setValue(value);
    }

    /** For tests: the environment file this writer leaves. */
    static Map<String, String> environmentKeys(RunSummary summary) {
        return summary.environment();
    }
}
