package io.msrconf.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The single self-contained {@code index.html} to attach to a bug report, made from the multi-file Allure report
 * rather than by a second Allure generation (which cost as much as the first). It is what Allure's own
 * {@code --single-file} writes, with two differences that take the default suite's file from 6.4 MB to under 2 MB:
 * <ul>
 *   <li>The report's data files (test cases, attachments, widgets, history) travel as one gzip stream, which the page
 *       unpacks with the browser's {@code DecompressionStream} before the report reads them. JSON of hundreds of
 *       similar results shrinks about ninefold, where Allure stores each file as base64, a third larger than itself.</li>
 *   <li>A web font keeps only its WOFF2 source. Allure's stylesheet carries FontAwesome five times over (EOT twice,
 *       WOFF2, WOFF, TrueType, SVG: 1.4 MB of its 1.6 MB); every browser that has DecompressionStream reads WOFF2 and
 *       takes the first source it can read, so the others are never loaded.</li>
 * </ul>
 * Scripts, styles and the icon are inlined as data URLs, in the order the multi-file page loads them, as Allure does.
 */
public final class SingleFileReport {

    /** The multi-file page's own references, as allure-commandline's template writes them. */
    private static final Pattern SCRIPT = Pattern.compile("(<script src=\")([^\"]+)(\">)");
    private static final Pattern STYLESHEET = Pattern.compile("(<link rel=\"stylesheet\" type=\"text/css\" href=\")([^\"]+)(\">)");
    private static final Pattern ICON = Pattern.compile("(<link rel=\"icon\" href=\")([^\"]+)(\">)");

    private static final Pattern FONT_FACE = Pattern.compile("@font-face\\s*\\{([^}]*)}");
    private static final Pattern FONT_SOURCE = Pattern.compile("url\\(([^)]*)\\)\\s*format\\(\"([^\"]+)\"\\)");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SingleFileReport() {
    }

    /**
     * Writes {@code into/index.html} from the multi-file report in {@code htmlDir}; {@code into} is emptied first.
     *
     * @return the single file
     * @throws IOException if the report cannot be read or the file written, or {@code htmlDir} does not hold the
     *                     multi-file report allure-commandline writes (the message says what is wrong)
     */
    static Path write(Path htmlDir, Path into) throws IOException {
        String page = Files.readString(htmlDir.resolve("index.html"), StandardCharsets.UTF_8);
        Set<String> inlined = new LinkedHashSet<>(List.of("index.html"));
        StringBuilder out = new StringBuilder();

        Matcher scripts = SCRIPT.matcher(page);
        if (!scripts.find()) {
            throw new IOException(htmlDir.resolve("index.html") + " loads no script: not the multi-file report"
                    + " allure-commandline writes, which the single file is made from");
        }
        int firstScript = scripts.start();
        String head = page.substring(0, firstScript);
        head = replaceReferences(head, ICON, htmlDir, "image/x-icon", inlined);
        head = replaceReferences(head, STYLESHEET, htmlDir, "text/css", inlined);
        String body = replaceReferences(page.substring(firstScript), SCRIPT, htmlDir, "text/javascript", inlined);
        out.append(head);
        // the data first: the report must find window.reportData from its very first request
        out.append(dataScript(htmlDir, inlined)).append("\n    ");
        out.append(body);

        Files.createDirectories(into);
        try (Stream<Path> old = Files.list(into)) {
            for (Path p : old.toList()) {
                io.msrconf.util.FileTrees.delete(p);
            }
        }
        Path index = into.resolve("index.html");
        Files.writeString(index, out, StandardCharsets.UTF_8);
        return index;
    }

    /** Every reference {@code pattern} finds (its group 2, between the groups 1 and 3) becomes a data URL of that file. */
    private static String replaceReferences(String html, Pattern pattern, Path htmlDir, String mediaType, Set<String> inlined)
            throws IOException {
        Matcher m = pattern.matcher(html);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String reference = m.group(2);
            byte[] content = Files.readAllBytes(reportFile(htmlDir, reference));
            if (mediaType.equals("text/css")) {
                content = woff2Only(new String(content, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            }
            inlined.add(reference);
            String url = "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(content);
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + url + m.group(3)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** A file the page references: relative, inside the report, a regular file (the report is read as untrusted). */
    private static Path reportFile(Path htmlDir, String reference) throws IOException {
        Path file = htmlDir.resolve(reference).normalize();
        if (reference.contains(":") || !file.startsWith(htmlDir.normalize())
                || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(htmlDir.resolve("index.html") + " references " + reference
                    + ", which is not a file of the report");
        }
        return file;
    }

    /**
     * The script that fills {@code window.reportData} (path → base64 content, where Allure's single-file page keeps
     * its data) from one gzip stream of every data file, then sets {@code window.reportDataReady}, which the report
     * waits for. A browser that cannot unpack it says so in the report's alert line.
     */
    private static String dataScript(Path htmlDir, Set<String> inlined) throws IOException {
        List<Object[]> manifest = new ArrayList<>();
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(packed, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }; Stream<Path> files = Files.walk(htmlDir)) {
            for (Path file : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                String name = htmlDir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (inlined.contains(name)) {
                    continue;
                }
                byte[] content = Files.readAllBytes(file);
                manifest.add(new Object[] {name, content.length});
                gzip.write(content);
            }
        }
        return """
                <script>
                    window.reportDataReady = false;
                    window.reportData = {};
                    (function () {
                        var files = %s;
                        var packed = "%s";
                        function fail(why) {
                            document.getElementById("alert").textContent = "This single-file report cannot unpack its data ("
                                + why + "). It needs a browser with DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or later.";
                        }
                        function base64(bytes) {
                            var text = "";
                            for (var i = 0; i < bytes.length; i += 0x8000) {
                                text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
                            }
                            return btoa(text);
                        }
                        if (typeof DecompressionStream !== "function") {
                            fail("this browser has no DecompressionStream");
                            return;
                        }
                        var text = atob(packed), bytes = new Uint8Array(text.length);
                        for (var i = 0; i < text.length; i++) {
                            bytes[i] = text.charCodeAt(i);
                        }
                        new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer()
                            .then(function (buffer) {
                                var all = new Uint8Array(buffer), at = 0;
                                files.forEach(function (file) {
                                    window.reportData[file[0]] = base64(all.subarray(at, at + file[1]));
                                    at += file[1];
                                });
                                window.reportDataReady = true;
                            }, function (error) {
                                fail(String(error));
                            });
                    })();
                </script>""".formatted(scriptSafeJson(manifest), Base64.getEncoder().encodeToString(packed.toByteArray()));
    }

    /** JSON that cannot end the script element it sits in, whatever the file names hold. */
    private static String scriptSafeJson(Object value) throws JsonProcessingException {
        return JSON.writeValueAsString(value).replace("<", "\\u003c").replace(">", "\\u003e");
    }

    /**
     * {@code css} with each {@code @font-face} reduced to its WOFF2 source; a face without one is left as it is.
     * Other declarations of the face (family, style, weight) stay.
     */
    static String woff2Only(String css) {
        Matcher face = FONT_FACE.matcher(css);
        StringBuilder sb = new StringBuilder();
        while (face.find()) {
            String body = face.group(1);
            String woff2 = null;
            for (Matcher source = FONT_SOURCE.matcher(body); source.find(); ) {
                if (source.group(2).equals("woff2")) {
                    woff2 = source.group();
                }
            }
            if (woff2 == null) {
                face.appendReplacement(sb, Matcher.quoteReplacement(face.group()));
                continue;
            }
            List<String> kept = new ArrayList<>();
            for (String declaration : declarations(body)) {
                if (!declaration.strip().startsWith("src")) {
                    kept.add(declaration);
                }
            }
            kept.add("src:" + woff2);
            face.appendReplacement(sb, Matcher.quoteReplacement("@font-face{" + String.join(";", kept) + "}"));
        }
        face.appendTail(sb);
        return sb.toString();
    }

    /** A rule body's declarations, split at the semicolons outside {@code url(...)} (a data URL holds ";base64,"). */
    private static List<String> declarations(String body) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == ';' && depth == 0) {
                out.add(body.substring(start, i));
                start = i + 1;
            }
        }
        if (start < body.length() && !body.substring(start).isBlank()) {
            out.add(body.substring(start));
        }
        return out;
    }
}
