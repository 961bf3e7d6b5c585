package io.msrconf.spec;

import io.msrconf.abi.Errno;

import io.msrconf.abi.ExitReason;
import io.msrconf.abi.Msr;
import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.spec.YamlReader.YamlMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The spec format: turns the node tree of one file into {@link Case}s. Every problem becomes an error
 * in the {@link YamlReader}; a case with any error is left out, and so are all cases of a file whose
 * top level (area, description, cases) is wrong.
 */
final class SpecFileParser {

    static final List<String> FILE_KEYS = List.of("area", "description", "cases");
    static final List<String> CASE_KEYS = List.of("id", "rules", "title", "cites", "kernel", "requires", "vcpu", "steps");
    static final List<String> ACTIONS = List.of("set-filter", "run", "continue", "host-set-msrs", "host-get-msrs", "enable-exits",
            "create-vcpu", "set-cpuid", "check-extension", "xen-hvm-config");
    /** The capabilities a check-extension step may name: this API's two (KVM_CAP_ without its prefix). */
    private static final Map<String, Integer> CAPABILITIES = ordered("X86_USER_SPACE_MSR", io.msrconf.abi.KvmCap.KVM_CAP_X86_USER_SPACE_MSR,
            "X86_MSR_FILTER", io.msrconf.abi.KvmCap.KVM_CAP_X86_MSR_FILTER);

    /**
     * allow/deny build one bit per MSR in memory; above this the bitmap must be written out with
     * {@code bitmap:}. It is well above the kernel's own limit (0x3000), so oversized-filter cases can
     * still use allow/deny, yet bounded, so a spec cannot make the loader allocate 512 MiB.
     */
    static final int MAX_GENERATED_NMSRS = 0x10000;

    private static final List<String> VCPU_KEYS = List.of("x2apic", "exits", "cpuid-lacks");
    private static final Map<String, CpuidFeature> CPUID_FEATURES = cpuidFeatures();
    private static final List<String> STEP_KEYS = List.of("set-filter", "run", "continue", "host-set-msrs", "host-get-msrs",
            "enable-exits", "create-vcpu", "set-cpuid", "check-extension", "xen-hvm-config", "expect", "from", "pause", "vcpu", "cpuid", "cap-flags");
    /** The actions that act on one vCPU, named by {@code vcpu: N} (0 when absent). */
    private static final List<String> VCPU_ACTIONS = List.of("run", "continue", "host-set-msrs", "host-get-msrs");
    /** A pause point's name: a word, so that failure messages and continue steps can quote it. */
    private static final Pattern PAUSE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final List<String> FILTER_KEYS = List.of("default", "flags", "ranges");
    private static final List<String> RANGE_KEYS = List.of("flags", "base", "nmsrs", "allow", "deny", "bitmap", "memory");
    /**
     * {@code memory:} where the bitmap's bytes lie when the ioctl reads them: {@code padded} (the default:
     * zero-padded to what the kernel copies), {@code short} (exactly the bytes given, then a page the
     * process cannot read), {@code unmapped} (an address in a page unmapped before the ioctl), {@code wild} (an
     * address below vm.mmap_min_addr).
     */
    private static final java.util.Map<String, BitmapMemory> BITMAP_MEMORY = new java.util.LinkedHashMap<>();

    static {
        BITMAP_MEMORY.put("padded", BitmapMemory.VALID_PADDED);
        BITMAP_MEMORY.put("short", BitmapMemory.SHORT);
        BITMAP_MEMORY.put("unmapped", BitmapMemory.UNMAPPED);
        BITMAP_MEMORY.put("wild", BitmapMemory.WILD);
    }
    /** The {@code memory:} word for a placement: what the writer of cases puts there. */
    static String bitmapMemoryName(BitmapMemory memory) {
        return BITMAP_MEMORY.entrySet().stream().filter(e -> e.getValue() == memory).findFirst().orElseThrow().getKey();
    }

    private static final List<String> BITMAP_FORMS = List.of("allow", "deny", "bitmap");
    /** The access kinds, in MsrOp order: fep- runs the instruction behind KVM's forced-emulation prefix. */
    private static final List<String> OPS = List.of("rdmsr", "wrmsr", "fep-rdmsr", "fep-rdtsc", "fep-wrmsr");
    private static final List<String> ACCESS_KEYS = List.of("rdmsr", "wrmsr", "fep-rdmsr", "fep-rdtsc", "fep-wrmsr", "value", "expect");
    private static final List<String> VALUE_KEYS = List.of("value", "mask");
    private static final List<String> FAULT_KEYS = List.of("fault");
    private static final List<String> RUN_FAILS_KEYS = List.of("kvm-run-fails");
    private static final List<String> XEN_HVM_CONFIG_KEYS = List.of("msr", "blob-pages");
    private static final List<String> EXIT_KEYS = List.of("exit", "data", "answer", "then", "pause");
    private static final List<String> ANSWER_KEYS = List.of("error", "data");
    private static final List<String> SET_MSR_KEYS = List.of("index", "value");
    private static final List<String> GET_MSR_KEYS = List.of("index", "value", "mask");

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9.-]*");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]*");

    private static final Map<String, Integer> DEFAULTS = ordered("allow", MsrFilter.DEFAULT_ALLOW, "deny", MsrFilter.DEFAULT_DENY);
    private static final Map<String, Integer> RANGE_FLAGS = ordered("READ", MsrFilter.RANGE_READ, "WRITE", MsrFilter.RANGE_WRITE);
    private static final Map<String, ExitReason> EXIT_REASONS = exitReasons();
    private static final Map<String, Integer> ERRNOS = errnos();

    private final YamlReader reader;
    private final Map<String, SourceRef> ids;

    /** @param ids the ids seen so far in this load, shared by its files so duplicates across files are found */
    SpecFileParser(YamlReader reader, Map<String, SourceRef> ids) {
        this.reader = reader;
        this.ids = ids;
    }

    /** The valid cases of the file whose document root is {@code root}; errors go to the reader. */
    List<Case> parse(Node root, String expectedArea) {
        int before = reader.errorCount();
        if (!(root instanceof MappingNode)) {
            reader.error(root, "", "a spec file is a map with keys " + String.join(", ", FILE_KEYS) + ", got "
                    + YamlReader.describe(root));
            return List.of();
        }
        YamlMap top = reader.map(root, "", FILE_KEYS);
        if (top == null) {
            return List.of();
        }
        Node areaNode = top.require("area");
        if (areaNode != null) {
            String area = reader.text(areaNode, "area");
            if (area != null && !area.equals(expectedArea)) {
                reader.error(areaNode, "area", YamlReader.quote(area) + " does not match the file name: expected "
                        + YamlReader.quote(expectedArea));
            }
        }
        if (top.has("description")) {
            reader.text(top.get("description"), "description");
        }
        Node casesNode = top.require("cases");
        List<Node> items = casesNode == null ? null : reader.list(casesNode, "cases", true);
        boolean fileOk = reader.errorCount() == before;
        List<Case> cases = new ArrayList<>();
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                Case c = parseCase(items.get(i), YamlReader.item("cases", i), expectedArea);
                if (c != null) {
                    cases.add(c);
                }
            }
        }
        return fileOk ? cases : List.of();
    }

    private Case parseCase(Node node, String path, String area) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, CASE_KEYS);
        if (m == null) {
            return null;
        }
        String id = id(m);
        String title = requiredText(m, "title");
        Node citesNode = m.require("cites");
        Citation cites = citesNode == null ? null : citation(citesNode, m.path("cites"));
        KernelRange kernels = m.has("kernel") ? reader.kernelRange(m.get("kernel"), m.path("kernel")) : KernelRange.DEFAULT;
        Requirements requires = m.has("requires") ? requirements(m.get("requires"), m.path("requires")) : Requirements.NONE;
        VcpuSetup vcpu = m.has("vcpu") ? vcpu(m.get("vcpu"), m.path("vcpu")) : VcpuSetup.DEFAULT;
        Node stepsNode = m.require("steps");
        // With a broken vcpu the exit-enabled check has nothing to check against: skip it (null).
        List<Step> steps = stepsNode == null ? null
                : steps(stepsNode, m.path("steps"), vcpu == null ? null : vcpu.userspaceExits());
        List<Integer> rules = m.has("rules") ? ruleNumbers(m.get("rules"), m.path("rules")) : List.of();
        if (reader.errorCount() != before) {
            return null;
        }
        return new Case(id, title, area, cites, kernels, vcpu, steps, reader.ref(node), requires, rules);
    }

    /** The kinds of source a citation lists, each with the keys it takes besides its own. */
    private static final Map<String, List<String>> CITE_KINDS = new LinkedHashMap<>();
    static {
        CITE_KINDS.put("api.rst", List.of("quote"));
        CITE_KINDS.put("code", List.of("kernels", "quote"));
        CITE_KINDS.put("commit", List.of("subject"));
        CITE_KINDS.put("note", List.of());
    }
    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{12,40}");

    /**
     * {@code cites:} a list of sources, each a map keyed by its kind: {@code {api.rst: SECTION, quote: "..."}},
     * {@code {code: kvm_msr_allowed(), kernels: "5.10.223, 6.12.117", quote: "..."}}, {@code {commit: ID, subject:
     * "..."}}, {@code {note: "..."}}; or a string, one note.
     */
    private Citation citation(Node node, String path) {
        if (node instanceof ScalarNode) {
            String text = reader.text(node, path);
            return text == null ? null : Citation.note(text);
        }
        int before = reader.errorCount();
        List<Node> items = reader.list(node, path, true);
        List<Citation.Source> sources = new ArrayList<>();
        List<String> allKeys = new ArrayList<>(CITE_KINDS.keySet());
        CITE_KINDS.values().forEach(v -> v.stream().filter(k -> !allKeys.contains(k)).forEach(allKeys::add));
        for (int i = 0; items != null && i < items.size(); i++) {
            String at = YamlReader.item(path, i);
            YamlMap m = reader.map(items.get(i), at, allKeys);
            if (m == null) {
                continue;
            }
            List<String> kinds = m.present(List.copyOf(CITE_KINDS.keySet()));
            if (kinds.size() != 1) {
                reader.error(items.get(i), at, kinds.isEmpty() ? "a source is one of " + String.join(", ", CITE_KINDS.keySet())
                        : "one source per item, got " + String.join(" and ", kinds));
                continue;
            }
            String kind = kinds.get(0);
            for (String key : allKeys) {
                if (m.has(key) && !key.equals(kind) && !CITE_KINDS.get(kind).contains(key)) {
                    reader.error(m.get(key), m.path(key), key + ": does not belong to a " + kind + " source (it takes "
                            + (CITE_KINDS.get(kind).isEmpty() ? "nothing else" : String.join(", ", CITE_KINDS.get(kind))) + ")");
                }
            }
            String value = reader.text(m.get(kind), m.path(kind));
            Citation.Source source = switch (kind) {
                case "api.rst" -> {
                    Node quote = m.require("quote");
                    String q = quote == null ? null : reader.text(quote, m.path("quote"));
                    yield value == null || q == null ? null : new Citation.ApiRst(value, q);
                }
                case "code" -> new Citation.Code(value, optionalText(m, "kernels"), optionalText(m, "quote"));
                case "commit" -> {
                    if (value != null && !COMMIT_ID.matcher(value).matches()) {
                        reader.error(m.get(kind), m.path(kind), "a commit is 12 to 40 lowercase hex digits, got " + YamlReader.quote(value));
                    }
                    yield new Citation.Commit(value, optionalText(m, "subject"));
                }
                default -> new Citation.Note(value);
            };
            if (source != null) {
                sources.add(source);
            }
        }
        return reader.errorCount() == before && !sources.isEmpty() ? new Citation(sources) : null;
    }

    private String optionalText(YamlMap m, String key) {
        if (!m.has(key)) {
            return "";
        }
        String text = reader.text(m.get(key), m.path(key));
        return text == null ? "" : text;
    }

    /** {@code rules: [8, 12]}: the numbers of specs/rules.yaml the case checks. */
    private List<Integer> ruleNumbers(Node node, String path) {
        List<Node> items = reader.list(node, path, true);
        List<Integer> rules = new ArrayList<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            Integer n = reader.u32(items.get(i), YamlReader.item(path, i));
            if (n != null && (n < 1 || rules.contains(n))) {
                reader.error(items.get(i), YamlReader.item(path, i), n < 1 ? "rules are numbered from 1" : "rule " + n + " is listed twice");
            } else if (n != null) {
                rules.add(n);
            }
        }
        return rules;
    }

    /**
     * {@code requires: { module: kvm_amd, param: { kvm_amd.avic: N }, cpu-vendor: AuthenticAMD }}: module
     * and cpu-vendor are a name or a list (any of them); param maps "module.param" to the value
     * /sys/module/MODULE/parameters/PARAM must read.
     */
    private Requirements requirements(Node node, String path) {
        YamlMap m = reader.map(node, path, List.of("module", "param", "cpu-vendor", "set-param"));
        if (m == null) {
            return null;
        }
        List<String> vendors = names(m, "cpu-vendor", "[A-Za-z ]{12}", true,
                "expected a 12-character CPUID vendor string like AuthenticAMD, GenuineIntel or HygonGenuine");
        List<String> modules = names(m, "module", "kvm_[a-z0-9_]+", false,
                "expected a KVM vendor module name like kvm_amd, kvm_intel or kvm_pvm");
        java.util.Map<String, String> params = m.has("param") ? parameterValues(m.get("param"), m.path("param"), "must read") : Map.of();
        java.util.Map<String, String> sets = m.has("set-param") ? parameterValues(m.get("set-param"), m.path("set-param"), "is set to")
                : Map.of();
        for (String both : sets.keySet()) {
            if (params.containsKey(both)) {
                reader.error(m.get("set-param"), m.path("set-param"), both + " is both required (param) and set (set-param):"
                        + " a case that sets it needs nothing of it");
            }
        }
        return new Requirements(modules, params, vendors, sets);
    }

    /** {@code key: NAME} or {@code key: [NAME, ...]}, each NAME matching {@code pattern}; empty when the key is absent. */
    private List<String> names(YamlMap m, String key, String pattern, boolean nonEmpty, String expected) {
        List<String> names = new ArrayList<>();
        if (!m.has(key)) {
            return names;
        }
        Node node = m.get(key);
        List<Node> items = node instanceof SequenceNode ? reader.list(node, m.path(key), nonEmpty) : List.of(node);
        for (int i = 0; items != null && i < items.size(); i++) {
            String itemPath = node instanceof SequenceNode ? YamlReader.item(m.path(key), i) : m.path(key);
            String name = items.get(i) instanceof ScalarNode s && !YamlReader.isNull(s) ? s.getValue() : null;
            if (name == null || !name.matches(pattern)) {
                reader.error(items.get(i), itemPath, expected);
            } else {
                names.add(name);
            }
        }
        return names;
    }

    /** {@code { module.param: value, ... }}: what each parameter must read or is set to. */
    private java.util.Map<String, String> parameterValues(Node node, String path, String what) {
        java.util.Map<String, String> params = new java.util.TreeMap<>();
        List<String> names = YamlReader.keyNames(node).stream().distinct().toList();
        YamlMap p = reader.map(node, path, names);
        if (p != null) {
            for (String key : names) {
                Node v = p.get(key);
                if (!key.matches("[a-z0-9_]+\\.[a-z0-9_]+")) {
                    reader.error(v, p.path(key), "expected module.parameter, like kvm_amd.avic");
                } else if (!(v instanceof ScalarNode s) || YamlReader.isNull(v)) {
                    reader.error(v, p.path(key), "expected the value the parameter " + what + ", like N or 1");
                } else {
                    params.put(key, s.getValue());
                }
            }
        }
        return params;
    }

    private String id(YamlMap m) {
        Node node = m.require("id");
        String id = node == null ? null : reader.text(node, m.path("id"));
        if (id == null) {
            return null;
        }
        if (!ID.matcher(id).matches()) {
            reader.error(node, m.path("id"), YamlReader.quote(id)
                    + " is not a valid id: use lowercase letters, digits, '.' and '-', starting with a letter or digit");
            return null;
        }
        // Registered even if the rest of the case is broken: fixing the case must not move the error.
        SourceRef first = ids.putIfAbsent(id, reader.ref(m.node));
        if (first != null) {
            reader.error(node, m.path("id"), "duplicate id " + YamlReader.quote(id) + ", first defined at " + first);
            return null;
        }
        return id;
    }

    private String requiredText(YamlMap m, String key) {
        Node node = m.require(key);
        return node == null ? null : reader.text(node, m.path(key));
    }

    private VcpuSetup vcpu(Node node, String path) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, VCPU_KEYS);
        if (m == null) {
            return null;
        }
        Boolean x2apic = m.has("x2apic") ? reader.bool(m.get("x2apic"), m.path("x2apic")) : Boolean.FALSE;
        Set<ExitReason> exits = EnumSet.noneOf(ExitReason.class);
        List<Node> items = m.has("exits") ? reader.list(m.get("exits"), m.path("exits"), false) : List.of();
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                String itemPath = YamlReader.item(m.path("exits"), i);
                ExitReason reason = reader.choice(items.get(i), itemPath, "an exit reason", EXIT_REASONS);
                if (reason != null && !exits.add(reason)) {
                    reader.error(items.get(i), itemPath, reason + " is listed twice");
                }
            }
        }
        Set<CpuidFeature> lacks = EnumSet.noneOf(CpuidFeature.class);
        List<Node> features = m.has("cpuid-lacks") ? reader.list(m.get("cpuid-lacks"), m.path("cpuid-lacks"), true) : List.of();
        if (features != null) {
            for (int i = 0; i < features.size(); i++) {
                String itemPath = YamlReader.item(m.path("cpuid-lacks"), i);
                CpuidFeature f = reader.choice(features.get(i), itemPath, "a CPUID feature", CPUID_FEATURES);
                if (f != null && !lacks.add(f)) {
                    reader.error(features.get(i), itemPath, f + " is listed twice");
                }
            }
        }
        return reader.errorCount() == before ? new VcpuSetup(x2apic, exits, lacks) : null;
    }

    private static Map<String, CpuidFeature> cpuidFeatures() {
        Map<String, CpuidFeature> m = new java.util.LinkedHashMap<>();
        for (CpuidFeature f : CpuidFeature.values()) {
            m.put(f.name(), f);
        }
        return m;
    }

    /**
     * What the steps before this one left: which vCPUs exist (and whether each has its CPUID), where each
     * vCPU's guest is paused, and which exit reasons are enabled. The setup creates vCPU 0 with its CPUID,
     * unless a create-vcpu step of the case creates it.
     */
    private static final class StepState {
        final Map<Integer, Boolean> hasCpuid = new java.util.TreeMap<>();
        final Map<Integer, Step.RunGuest> paused = new java.util.HashMap<>();
        Set<ExitReason> exits;

        StepState(boolean setupCreatesVcpu0, Set<ExitReason> exits) {
            if (setupCreatesVcpu0) {
                hasCpuid.put(0, true);
            }
            this.exits = exits;
        }

        void after(Step step) {
            if (step instanceof Step.EnableExits e && e.expectedErrno() == 0) {
                exits = ExitReason.ofMask(e.mask());   // the reasons the accesses after it may exit with
            } else if (step instanceof Step.CreateVcpu c) {
                hasCpuid.put(c.id(), !c.cpuidLater());
            } else if (step instanceof Step.SetCpuid c) {
                hasCpuid.put(c.id(), true);
            } else if (step instanceof Step.RunGuest r) {
                paused.put(r.vcpu(), r.pausePoint() != null ? r : null);
            }
        }
    }

    private List<Step> steps(Node node, String path, Set<ExitReason> exits) {
        List<Node> items = reader.list(node, path, true);
        if (items == null) {
            return null;
        }
        List<Step> steps = new ArrayList<>();
        StepState state = new StepState(items.stream().noneMatch(SpecFileParser::createsVcpu0), exits);
        for (int i = 0; i < items.size(); i++) {
            Step step = step(items.get(i), YamlReader.item(path, i), state);
            if (step != null) {
                state.after(step);
                steps.add(step);
            } else if (YamlReader.keyNames(items.get(i)).stream().anyMatch(k -> k.equals("run") || k.equals("continue"))) {
                state.paused.clear();   // a broken run or continue: what follows cannot be checked against it
            }
        }
        return steps;
    }

    /** Whether this step node is {@code create-vcpu: 0} (read before the steps are parsed: it decides the setup). */
    private static boolean createsVcpu0(Node step) {
        if (!(step instanceof MappingNode m)) {
            return false;
        }
        return m.getValue().stream().anyMatch(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("create-vcpu")
                && t.getValueNode() instanceof ScalarNode v && v.getValue().strip().equals("0"));
    }

    private Step step(Node node, String path, StepState state) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, STEP_KEYS);
        if (m == null) {
            return null;
        }
        List<String> actions = m.present(ACTIONS);
        if (actions.size() != 1) {
            // A misspelt action is already reported as an unknown key; "no action" would only repeat it.
            if (actions.size() > 1 || reader.errorCount() == before) {
                reader.error(node, path, actions.isEmpty() ? "expected one of the actions " + String.join(", ", ACTIONS)
                        : "one action per step, got " + String.join(" and ", actions));
            }
            return null;
        }
        String action = actions.get(0);
        Node body = m.get(action);
        String bodyPath = m.path(action);
        SourceRef source = reader.ref(node);
        Integer vcpu = 0;
        if (m.has("vcpu")) {
            vcpu = VCPU_ACTIONS.contains(action) ? existingVcpu(m.get("vcpu"), m.path("vcpu"), state, action.equals("run") || action.equals("continue"))
                    : null;
            if (!VCPU_ACTIONS.contains(action)) {
                reader.error(m.get("vcpu"), m.path("vcpu"), "vcpu: belongs to a " + String.join(", ", VCPU_ACTIONS) + " step");
            }
        } else if (VCPU_ACTIONS.contains(action) && !state.hasCpuid.containsKey(0)) {
            reader.error(node, path, "vCPU 0 does not exist yet: a create-vcpu: 0 step before this one makes it");
        } else if ((action.equals("run") || action.equals("continue")) && !state.hasCpuid.get(0)) {
            reader.error(node, path, "vCPU 0 has no CPUID yet: a set-cpuid: 0 step before this one gives it");
        }
        if (m.has("cpuid") && !action.equals("create-vcpu")) {
            reader.error(m.get("cpuid"), m.path("cpuid"), "cpuid: belongs to a create-vcpu step");
        }
        if (m.has("cap-flags") && !action.equals("enable-exits")) {
            reader.error(m.get("cap-flags"), m.path("cap-flags"), "cap-flags: belongs to an enable-exits step");
        }
        int vcpuId = vcpu == null ? 0 : vcpu;
        Step step = switch (action) {
            case "set-filter" -> setFilter(m, body, bodyPath, source);
            case "run", "continue" -> run(m, action.equals("continue"), body, bodyPath, source, state.exits, vcpuId,
                    state.paused.get(vcpuId));
            case "host-set-msrs" -> hostSetMsrs(m, body, bodyPath, source, vcpuId);
            case "enable-exits" -> enableExits(m, body, bodyPath, source);
            case "create-vcpu" -> createVcpu(m, body, bodyPath, source, state);
            case "set-cpuid" -> setCpuid(body, bodyPath, source, state);
            case "check-extension" -> checkExtension(m, body, bodyPath, source);
            case "xen-hvm-config" -> xenHvmConfig(m, body, bodyPath, source);
            default -> hostGetMsrs(m, body, bodyPath, source, vcpuId);
        };
        if (!action.equals("run") && !action.equals("continue")) {
            for (String key : List.of("pause", "from")) {
                if (m.has(key)) {
                    reader.error(m.get(key), m.path(key), key + ": belongs to a run or continue step");
                }
            }
        }
        return reader.errorCount() == before ? step : null;
    }

    /** A vCPU id in 0..MAX_VCPUS-1. */
    private Integer vcpuId(Node node, String path) {
        Integer id = reader.u32(node, path);
        if (id != null && (id < 0 || id >= GuestLayout.MAX_VCPUS)) {
            reader.error(node, path, "a case has vCPUs 0 to " + (GuestLayout.MAX_VCPUS - 1) + ", got " + Integer.toUnsignedString(id));
            return null;
        }
        return id;
    }

    /** {@code vcpu: N} of a step that acts on vCPU N: it must exist, and to run a guest, have its CPUID. */
    private Integer existingVcpu(Node node, String path, StepState state, boolean runsGuest) {
        Integer id = vcpuId(node, path);
        if (id == null) {
            return null;
        }
        Boolean hasCpuid = state.hasCpuid.get(id);
        if (hasCpuid == null) {
            reader.error(node, path, "vCPU " + id + " does not exist yet: a create-vcpu: " + id + " step before this one makes it");
            return null;
        }
        if (runsGuest && !hasCpuid) {
            reader.error(node, path, "vCPU " + id + " has no CPUID yet: a set-cpuid: " + id + " step before this one gives it");
            return null;
        }
        return id;
    }

    /** {@code create-vcpu: N}, optionally {@code cpuid: later} (then a set-cpuid: N step gives it its CPUID). */
    private Step createVcpu(YamlMap step, Node body, String path, SourceRef source, StepState state) {
        Integer id = vcpuId(body, path);
        boolean later = false;
        if (step.has("cpuid")) {
            if (YamlReader.isWord(step.get("cpuid"), "later")) {
                later = true;
            } else {
                reader.error(step.get("cpuid"), step.path("cpuid"), "write cpuid: later (KVM_SET_CPUID2 in a set-cpuid step),"
                        + " or leave it out (right after KVM_CREATE_VCPU), got " + YamlReader.describe(step.get("cpuid")));
            }
        }
        if (id != null && state.hasCpuid.containsKey(id)) {
            reader.error(body, path, "vCPU " + id + " exists already: each vCPU is created once");
            return null;
        }
        return id == null ? null : new Step.CreateVcpu(id, later, source);
    }

    /** {@code check-extension: X86_MSR_FILTER} with {@code expect: 1}: KVM_CHECK_EXTENSION on the VM and the value it returns. */
    private Step checkExtension(YamlMap step, Node body, String path, SourceRef source) {
        Integer cap = reader.choice(body, path, "a capability", CAPABILITIES);
        Node expect = step.require("expect");
        Integer value = expect == null ? null : reader.u32(expect, step.path("expect"));
        return cap == null || value == null ? null
                : new Step.CheckExtension(((ScalarNode) body).getValue(), cap, value, source);
    }

    /**
     * {@code xen-hvm-config: {msr: 0x40000200, blob-pages: 1}} with {@code expect: ok}: KVM_XEN_HVM_CONFIG with
     * that MSR and a blob of that many pages (u8, as struct kvm_xen_hvm_config's blob_size_32/64), at an address
     * KVM can never read ({@link Step.XenHvmConfig}).
     */
    private Step xenHvmConfig(YamlMap step, Node body, String path, SourceRef source) {
        int before = reader.errorCount();
        YamlMap m = reader.map(body, path, XEN_HVM_CONFIG_KEYS);
        if (m == null) {
            return null;
        }
        Node msrNode = m.require("msr");
        Integer msr = msrNode == null ? null : reader.u32(msrNode, m.path("msr"));
        Node pagesNode = m.require("blob-pages");
        Integer pages = pagesNode == null ? null : reader.u8(pagesNode, m.path("blob-pages"));
        Node expect = step.require("expect");
        Integer errno = expect == null ? null : reader.choice(expect, step.path("expect"), "ok or an errno name", ERRNOS);
        return reader.errorCount() != before || errno == null ? null : new Step.XenHvmConfig(msr, pages, errno, source);
    }

    /** {@code set-cpuid: N} for a vCPU created with {@code cpuid: later}. */
    private Step setCpuid(Node body, String path, SourceRef source, StepState state) {
        Integer id = vcpuId(body, path);
        if (id == null) {
            return null;
        }
        Boolean hasCpuid = state.hasCpuid.get(id);
        if (hasCpuid == null || hasCpuid) {
            reader.error(body, path, hasCpuid == null ? "vCPU " + id + " does not exist yet: a create-vcpu: " + id + " step before this one makes it"
                    : "vCPU " + id + " has its CPUID already: set-cpuid follows a create-vcpu step with cpuid: later");
            return null;
        }
        return new Step.SetCpuid(id, source);
    }

    /**
     * {@code enable-exits: [FILTER, UNKNOWN]} (the reasons' bits) or {@code enable-exits: 0x9} (a raw mask,
     * for the masks KVM must refuse), with {@code expect: ok} or an errno.
     */
    private Step enableExits(YamlMap step, Node body, String path, SourceRef source) {
        Integer mask = null;
        if (body instanceof SequenceNode) {
            List<Node> items = reader.list(body, path, false);
            if (items != null) {
                int bits = 0;
                for (int i = 0; i < items.size(); i++) {
                    ExitReason reason = reader.choice(items.get(i), YamlReader.item(path, i), "an exit reason", EXIT_REASONS);
                    if (reason != null) {
                        bits |= reason.bit;
                    }
                }
                mask = bits;
            }
        } else {
            mask = reader.u32(body, path);
        }
        // cap-flags: struct kvm_enable_cap's flags, raw (x86 refuses any non-zero value).
        Integer flags = step.has("cap-flags") ? reader.u32(step.get("cap-flags"), step.path("cap-flags")) : Integer.valueOf(0);
        Node expect = step.require("expect");
        Integer errno = expect == null ? null : reader.choice(expect, step.path("expect"), "ok or an errno name", ERRNOS);
        return mask == null || errno == null || flags == null ? null : new Step.EnableExits(mask, flags, errno, source);
    }

    /** {@code set-filter: {...}}, or {@code set-filter: null} for the ioctl with a NULL argument. */
    private Step setFilter(YamlMap step, Node body, String path, SourceRef source) {
        boolean nullArgument = YamlReader.isNull(body);
        MsrFilter filter = nullArgument ? null : filter(body, path);
        Node expect = step.require("expect");
        Integer errno = expect == null ? null : reader.choice(expect, step.path("expect"), "ok or an errno name", ERRNOS);
        return (filter == null && !nullArgument) || errno == null ? null : new Step.SetFilter(filter, errno, source);
    }

    private MsrFilter filter(Node node, String path) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, FILTER_KEYS);
        if (m == null) {
            return null;
        }
        Integer flags = null;
        if (m.has("default") && m.has("flags")) {
            reader.error(node, path, "give either default (allow or deny) or raw flags, not both");
        } else if (m.has("default")) {
            flags = reader.choice(m.get("default"), m.path("default"), "a default action", DEFAULTS);
        } else if (m.has("flags")) {
            flags = reader.u32(m.get("flags"), m.path("flags"));
        } else {
            reader.error(node, path, "needs default (allow or deny) or raw flags");
        }
        List<FilterRange> ranges = new ArrayList<>();
        java.util.Map<Integer, BitmapMemory> memory = new java.util.TreeMap<>();
        List<Node> items = m.has("ranges") ? reader.list(m.get("ranges"), m.path("ranges"), false) : List.of();
        if (items != null) {
            if (items.size() > MsrFilter.MAX_RANGES) {
                reader.error(m.get("ranges"), m.path("ranges"), "at most " + MsrFilter.MAX_RANGES
                        + " ranges (the slots of struct kvm_msr_filter), got " + items.size());
            }
            for (int i = 0; i < items.size(); i++) {
                PlacedRange range = range(items.get(i), YamlReader.item(m.path("ranges"), i));
                if (range != null) {
                    if (range.memory() != BitmapMemory.VALID_PADDED) {
                        memory.put(ranges.size(), range.memory());
                    }
                    ranges.add(range.range());
                }
            }
        }
        return reader.errorCount() == before ? new MsrFilter(flags, ranges, memory) : null;
    }

    /** A range and where its bitmap lies in memory. */
    private record PlacedRange(FilterRange range, BitmapMemory memory) {
    }

    private PlacedRange range(Node node, String path) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, RANGE_KEYS);
        if (m == null) {
            return null;
        }
        Node flagsNode = m.require("flags");
        Integer flags = flagsNode == null ? null : rangeFlags(flagsNode, m.path("flags"));
        Node baseNode = m.require("base");
        Integer base = baseNode == null ? null : reader.u32(baseNode, m.path("base"));
        Node nmsrsNode = m.require("nmsrs");
        Integer nmsrs = nmsrsNode == null ? null : reader.u32(nmsrsNode, m.path("nmsrs"));
        List<String> forms = m.present(BITMAP_FORMS);
        byte[] bitmap = null;
        if (forms.size() != 1) {
            reader.error(node, path, forms.isEmpty() ? "needs a bitmap: one of allow, deny or bitmap"
                    : "give one bitmap form, got " + String.join(" and ", forms));
        } else if (forms.get(0).equals("bitmap")) {
            bitmap = rawBitmap(m.get("bitmap"), m.path("bitmap"));
        } else if (base != null && nmsrs != null) {
            String form = forms.get(0);
            bitmap = generatedBitmap(m.get(form), m.path(form), form.equals("allow"), base, nmsrs);
        }
        BitmapMemory memory = BitmapMemory.VALID_PADDED;
        if (m.has("memory")) {
            BitmapMemory chosen = reader.choice(m.get("memory"), m.path("memory"), "where the bitmap lies", BITMAP_MEMORY);
            if (chosen != null && chosen != BitmapMemory.VALID_PADDED && forms.equals(List.of("bitmap")) && bitmap == null
                    && reader.errorCount() == before) {
                reader.error(m.get("memory"), m.path("memory"), "a NULL bitmap pointer points nowhere: memory: applies to bitmap bytes");
            } else if (chosen != null) {
                memory = chosen;
            }
        }
        // bitmap == null is also the legitimate NULL pointer: the error count tells them apart.
        return reader.errorCount() == before ? new PlacedRange(new FilterRange(flags, nmsrs, base, bitmap), memory) : null;
    }

    private Integer rangeFlags(Node node, String path) {
        if (node instanceof SequenceNode) {
            List<Node> items = reader.list(node, path, false);
            if (items == null) {
                return null;
            }
            if (items.isEmpty()) {
                reader.error(node, path, "empty list: write 0 for a range without flags");
                return null;
            }
            int before = reader.errorCount();
            int flags = 0;
            for (int i = 0; i < items.size(); i++) {
                Integer bit = reader.choice(items.get(i), YamlReader.item(path, i), "a range flag", RANGE_FLAGS);
                if (bit != null && (flags & bit) != 0) {
                    reader.error(items.get(i), YamlReader.item(path, i), ((ScalarNode) items.get(i)).getValue() + " is listed twice");
                }
                flags |= bit == null ? 0 : bit;
            }
            return reader.errorCount() == before ? flags : null;
        }
        if (YamlReader.isInteger(node)) {
            return reader.u32(node, path);
        }
        if (reader.tagOk(node, path)) {
            reader.error(node, path, "expected a list of range flags (READ, WRITE) or an unsigned 32-bit integer, got "
                    + YamlReader.describe(node));
        }
        return null;
    }

    /** {@code bitmap:} hex bytes used as they are (whitespace ignored), or null for a NULL pointer. */
    private byte[] rawBitmap(Node node, String path) {
        if (!reader.tagOk(node, path)) {
            return null;
        }
        if (YamlReader.isNull(node)) {
            if (((ScalarNode) node).getValue().isEmpty()) {
                // An empty value is YAML null, but more likely a forgotten bitmap than a deliberate NULL.
                reader.error(node, path, "empty value: write null for a NULL bitmap pointer, or hex bytes like \"ff 00 01\"");
            }
            return null;
        }
        String hex = node instanceof ScalarNode scalar ? scalar.getValue().replaceAll("\\s+", "") : null;
        if (hex == null || !HEX.matcher(hex).matches()) {
            reader.error(node, path, "expected hex bytes like \"ff 00 01\" or null, got " + YamlReader.describe(node));
            return null;
        }
        if (hex.length() % 2 != 0) {
            reader.error(node, path, "odd number of hex digits (" + hex.length() + "): write whole bytes, like \"0f\"");
            return null;
        }
        return HexFormat.of().parseHex(hex);
    }

    /**
     * {@code allow:}/{@code deny:} as exactly bitmapBytesFor(nmsrs) bytes, bits past nmsrs zero as in
     * {@link FilterRange#allowing}: allow sets the listed bits (all: every bit), deny sets every bit but
     * the listed ones (all: none).
     */
    private byte[] generatedBitmap(Node node, String path, boolean allow, int base, int nmsrs) {
        long count = Integer.toUnsignedLong(nmsrs);
        if (count > MAX_GENERATED_NMSRS) {
            reader.error(node, path, String.format("cannot generate a bitmap for nmsrs 0x%x (at most 0x%x):"
                    + " give it with bitmap: as hex bytes or null", count, MAX_GENERATED_NMSRS));
            return null;
        }
        boolean all = YamlReader.isWord(node, "all");
        List<Node> items = List.of();
        if (!all) {
            if (!(node instanceof SequenceNode)) {
                if (reader.tagOk(node, path)) {
                    reader.error(node, path, "expected all or a list of MSR indexes, got " + YamlReader.describe(node));
                }
                return null;
            }
            items = reader.list(node, path, false);
            if (items == null) {
                return null;
            }
            if (items.isEmpty()) {
                reader.error(node, path, "empty list: write " + (allow ? "deny: all" : "allow: all")
                        + " for a range that " + (allow ? "allows" : "denies") + " no MSR");
                return null;
            }
        }
        byte[] bitmap = new byte[FilterRange.bitmapBytesFor(nmsrs)];
        if (allow == all) {
            setAll(bitmap, count);
        }
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = YamlReader.item(path, i);
            Integer msr = reader.u32(items.get(i), itemPath);
            if (msr == null) {
                continue;
            }
            long bit = Integer.toUnsignedLong(msr) - Integer.toUnsignedLong(base);
            if (bit < 0 || bit >= count) {
                reader.error(items.get(i), itemPath, String.format("MSR 0x%x is outside the range [0x%x, 0x%x)",
                        msr, base, Integer.toUnsignedLong(base) + count));
            } else if (!seen.add(bit)) {
                reader.error(items.get(i), itemPath, String.format("MSR 0x%x is listed twice", msr));
            } else if (allow) {
                bitmap[(int) (bit / 8)] |= (byte) (1 << (bit % 8));
            } else {
                bitmap[(int) (bit / 8)] &= (byte) ~(1 << (bit % 8));
            }
        }
        return bitmap;
    }

    private static void setAll(byte[] bitmap, long bits) {
        Arrays.fill(bitmap, (byte) 0xff);
        if (bits % 8 != 0) {
            bitmap[bitmap.length - 1] = (byte) ((1 << (bits % 8)) - 1);
        }
    }

    /**
     * {@code run: [accesses]} starts the guest afresh; {@code continue: [accesses]} with {@code from: NAME}
     * resumes the guest that the previous run or continue step left paused at NAME. Either may end with
     * {@code pause: NAME}; the last access may instead pause inside its exit ({@code exit: {..., pause: NAME}}).
     */
    private Step run(YamlMap step, boolean continues, Node body, String path, SourceRef source, Set<ExitReason> exits,
                     int vcpu, Step.RunGuest paused) {
        int before = reader.errorCount();
        if (step.has("expect")) {
            reader.error(step.get("expect"), step.path("expect"), "a run step has no expect: each access states its own");
        }
        Step.Resume resume = null;
        if (continues) {
            resume = resumeFrom(step, paused);
        } else if (step.has("from")) {
            reader.error(step.get("from"), step.path("from"), "from: belongs to a continue step: a run step starts the guest afresh");
        }
        String pause = step.has("pause") ? pauseName(step.get("pause"), step.path("pause")) : null;
        // A continue step may only answer a pending exit and pause again; a run step runs at least one access.
        List<Node> items = reader.list(body, path, !continues);
        if (items == null) {
            return null;
        }
        List<Access> accesses = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Access access = access(items.get(i), YamlReader.item(path, i), exits);
            if (access == null) {
                continue;
            }
            if (access.guest() != null && access.guest().endsTheGuest() && (i != items.size() - 1 || pause != null)) {
                reader.error(items.get(i), YamlReader.item(path, i), "an access that makes KVM_RUN or KVM's emulation fail"
                        + " ends its step and its guest: the vCPU never gets past it, so nothing can run or pause after it");
            } else if (access.exit() != null && access.exit().pause() != null && i != items.size() - 1) {
                reader.error(items.get(i), YamlReader.item(path, i), "an access that pauses in its exit ends its step: the"
                        + " vCPU stops there, so the accesses after it belong in the continue step");
            } else if (access.exit() != null && access.exit().pause() != null && pause != null) {
                reader.error(step.get("pause"), step.path("pause"), "the step already pauses in the exit of its last access ("
                        + YamlReader.quote(access.exit().pause()) + ")");
            }
            accesses.add(access);
        }
        if (reader.errorCount() != before) {
            return null;
        }
        int total = accesses.size() + (resume == null ? 0 : totalAccesses(paused));
        if (total > MsrScriptTable.MAX_ENTRIES) {
            reader.error(body, path, "a guest runs at most " + MsrScriptTable.MAX_ENTRIES + " accesses from its start"
                    + " (the script table's size), got " + total + " with the steps it continues");
            return null;
        }
        return new Step.RunGuest(accesses, vcpu, resume, pause, source);
    }

    /** The accesses a guest has run since its start, through this step (which may continue earlier ones). */
    private static int totalAccesses(Step.RunGuest step) {
        return step.accesses().size() + (step.resume() == null ? 0 : step.resume().total());
    }

    private Step.Resume resumeFrom(YamlMap step, Step.RunGuest paused) {
        Node fromNode = step.require("from");
        String from = fromNode == null ? null : pauseName(fromNode, step.path("from"));
        if (from == null) {
            return null;
        }
        if (paused == null) {
            reader.error(fromNode, step.path("from"), "no guest is paused at " + YamlReader.quote(from)
                    + ": the step before needs a run or continue step that ends with pause: " + from);
            return null;
        }
        if (!from.equals(paused.pausePoint())) {
            reader.error(fromNode, step.path("from"), "the guest is paused at " + YamlReader.quote(paused.pausePoint())
                    + " (" + paused.source() + "), not at " + YamlReader.quote(from));
            return null;
        }
        return new Step.Resume(from, paused.pausedInExit(), totalAccesses(paused));
    }

    private String pauseName(Node node, String path) {
        String name = reader.text(node, path);
        if (name != null && !PAUSE_NAME.matcher(name).matches()) {
            reader.error(node, path, YamlReader.quote(name) + " is not a pause name: use lowercase letters, digits and '-'");
            return null;
        }
        return name;
    }

    private Access access(Node node, String path, Set<ExitReason> exits) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, ACCESS_KEYS);
        if (m == null) {
            return null;
        }
        List<String> ops = m.present(OPS);
        if (ops.size() != 1) {
            reader.error(node, path, ops.isEmpty() ? "needs one of " + String.join(", ", OPS)
                    : "give one access kind, got " + String.join(" and ", ops));
            return null;
        }
        MsrOp op = MsrOp.values()[OPS.indexOf(ops.get(0))];
        Integer index = op == MsrOp.FEP_RDTSC ? fepRdtsc(m.get("fep-rdtsc"), m.path("fep-rdtsc"))
                : reader.u32(m.get(ops.get(0)), m.path(ops.get(0)));
        Long value = 0L;
        if (op.writes()) {
            Node valueNode = m.require("value");
            value = valueNode == null ? null : reader.u64(valueNode, m.path("value"));
        } else if (m.has("value")) {
            reader.error(m.get("value"), m.path("value"), "only a wrmsr has a value: "
                    + (op == MsrOp.FEP_RDTSC ? "RDTSC" : "RDMSR") + " writes nothing");
        }
        Node expect = m.require("expect");
        Outcome outcome = expect == null ? null : outcome(expect, m.path("expect"), op, exits);
        if (reader.errorCount() != before) {
            return null;
        }
        return new Access(op, index, value, outcome.exit(), outcome.guest(), reader.ref(node));
    }

    /**
     * {@code fep-rdtsc: true}: RDTSC has no operand, so the key only says which access this is. The
     * access's index is IA32_TSC, the MSR KVM's emulator reads for it (em_rdtsc()).
     */
    private Integer fepRdtsc(Node node, String path) {
        if (!reader.tagOk(node, path)) {
            return null;
        }
        if (!(node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)
                && Boolean.parseBoolean(scalar.getValue()))) {
            reader.error(node, path, "write fep-rdtsc: true (RDTSC has no operand; the key names the access), got "
                    + YamlReader.describe(node));
            return null;
        }
        return Msr.MSR_IA32_TSC;
    }

    private record Outcome(ExpectedExit exit, GuestExpectation guest) {
    }

    private Outcome outcome(Node node, String path, MsrOp op, Set<ExitReason> exits) {
        if (node instanceof MappingNode && YamlReader.keyNames(node).contains("exit")) {
            if (op == MsrOp.FEP_RDTSC) {
                // em_rdtsc() reads IA32_TSC through the emulator's get_msr hook, which has no userspace exit
                // since 5.18 (before, whether one reached userspace depended on backports): not a testable form.
                reader.error(node, path, "a forced-emulated RDTSC expects no exit: only rdmsr, wrmsr and fep-rdmsr"
                        + " can exit to userspace");
                return null;
            }
            return exitOutcome(node, path, op, exits);
        }
        GuestExpectation guest = guest(node, path, op, true);
        return guest == null ? null : new Outcome(null, guest);
    }

    /** The exit form: exactly one userspace exit, its answer, then what the guest sees. */
    private Outcome exitOutcome(Node node, String path, MsrOp op, Set<ExitReason> exits) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, EXIT_KEYS);
        if (m == null) {
            return null;
        }
        // require, not get: a tagged "exit" key was listed by keyNames but not accepted by map.
        Node reasonNode = m.require("exit");
        ExitReason reason = reasonNode == null ? null : reader.choice(reasonNode, m.path("exit"), "an exit reason", EXIT_REASONS);
        if (reason != null && exits != null && !exits.contains(reason)) {
            reader.error(reasonNode, m.path("exit"), "exit reason " + reason
                    + " is not enabled (by vcpu.exits, or the last enable-exits step before), so KVM never exits with it");
        }
        Long data = m.has("data") ? reader.u64(m.get("data"), m.path("data")) : null;
        Node answerNode = m.require("answer");
        UserspaceAnswer answer = answerNode == null ? null : answer(answerNode, m.path("answer"));
        Node thenNode = m.require("then");
        GuestExpectation then = thenNode == null ? null : guest(thenNode, m.path("then"), op, false);
        String pause = m.has("pause") ? pauseName(m.get("pause"), m.path("pause")) : null;
        if (reader.errorCount() != before) {
            return null;
        }
        ValueExpectation dataExpectation = data == null ? ValueExpectation.ANY : ValueExpectation.exactly(data);
        return new Outcome(new ExpectedExit(reason, dataExpectation, answer, pause), then);
    }

    private UserspaceAnswer answer(Node node, String path) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, ANSWER_KEYS);
        if (m == null) {
            return null;
        }
        Integer error = m.has("error") ? reader.u8(m.get("error"), m.path("error")) : Integer.valueOf(0);
        Long data = m.has("data") ? reader.u64(m.get("data"), m.path("data")) : Long.valueOf(0);
        return reader.errorCount() == before ? new UserspaceAnswer(error, data) : null;
    }

    /**
     * ok | gp | nonzero | {value: v[, mask: m]} | {fault: n}; {exit: ...}, {kvm-run-fails: ERRNO} and emulation-fails
     * only where {@code exitAllowed}.
     */
    private GuestExpectation guest(Node node, String path, MsrOp op, boolean exitAllowed) {
        if (!reader.tagOk(node, path)) {
            return null;
        }
        if (YamlReader.isWord(node, "ok")) {
            return new GuestExpectation.Completes(ValueExpectation.ANY);
        }
        if (YamlReader.isWord(node, "gp")) {
            return new GuestExpectation.Faults(GuestExpectation.Faults.GP);
        }
        if (YamlReader.isWord(node, "emulation-fails")) {
            if (!exitAllowed) {
                reader.error(node, path, "the emulation cannot fail once userspace answered the exit: after an exit the guest"
                        + " outcome is ok, gp, nonzero, {value: ...} or {fault: ...}");
                return null;
            }
            if (!op.forcedEmulation()) {
                reader.error(node, path, "only an access through KVM's instruction emulator (fep-rdmsr, fep-wrmsr, fep-rdtsc)"
                        + " can fail its emulation");
                return null;
            }
            return new GuestExpectation.EmulationFails();
        }
        if (YamlReader.isWord(node, "nonzero")) {
            if (!op.readsValue()) {
                reader.error(node, path, "a WRMSR reads no value: expect ok");
                return null;
            }
            return new GuestExpectation.Completes(ValueExpectation.NONZERO);
        }
        List<String> keys = YamlReader.keyNames(node);
        if (node instanceof MappingNode && keys.contains("exit")) {
            reader.error(node, path, "the guest outcome after the exit is ok, gp, nonzero, {value: ...} or {fault: ...}:"
                    + " an access has at most one exit");
            return null;
        }
        if (node instanceof MappingNode && keys.contains("value")) {
            return valueExpectation(node, path, op);
        }
        if (node instanceof MappingNode && keys.contains("kvm-run-fails")) {
            if (!exitAllowed) {
                reader.error(node, path, "KVM_RUN cannot fail once userspace answered the exit: after an exit the guest"
                        + " outcome is ok, gp, nonzero, {value: ...} or {fault: ...}");
                return null;
            }
            int before = reader.errorCount();
            YamlMap m = reader.map(node, path, RUN_FAILS_KEYS);
            Node errnoNode = m == null ? null : m.require("kvm-run-fails");
            Integer errno = errnoNode == null ? null : reader.choice(errnoNode, m.path("kvm-run-fails"), "an errno name", ERRNOS);
            if (errno != null && errno == 0) {
                reader.error(errnoNode, m.path("kvm-run-fails"), "name the errno KVM_RUN fails with (ok is not a failure)");
                return null;
            }
            return reader.errorCount() == before ? new GuestExpectation.KvmRunFails(errno) : null;
        }
        if (node instanceof MappingNode && keys.contains("fault")) {
            int before = reader.errorCount();
            YamlMap m = reader.map(node, path, FAULT_KEYS);
            Node vectorNode = m == null ? null : m.require("fault");
            Integer vector = vectorNode == null ? null : reader.u8(vectorNode, m.path("fault"));
            return reader.errorCount() == before ? new GuestExpectation.Faults(vector) : null;
        }
        String got = node instanceof MappingNode ? "a map with keys " + String.join(", ", keys) : YamlReader.describe(node);
        reader.error(node, path, "expected ok, gp, nonzero, {value: ...}, {fault: ...}"
                + (exitAllowed ? ", {kvm-run-fails: ERRNO}, emulation-fails or {exit: ...}" : " (an access has at most one exit)")
                + ", got " + got);
        return null;
    }

    private GuestExpectation valueExpectation(Node node, String path, MsrOp op) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, VALUE_KEYS);
        if (m == null) {
            return null;
        }
        if (!op.readsValue()) {
            reader.error(node, path, "a WRMSR reads no value: expect ok");
            return null;
        }
        Node valueNode = m.require("value");
        Long value = valueNode == null ? null : reader.u64(valueNode, m.path("value"));
        Long mask = m.has("mask") ? reader.u64(m.get("mask"), m.path("mask")) : Long.valueOf(-1L);
        return reader.errorCount() == before ? new GuestExpectation.Completes(new ValueExpectation(value, mask)) : null;
    }

    private Step hostSetMsrs(YamlMap step, Node body, String path, SourceRef source, int vcpu) {
        int before = reader.errorCount();
        List<Node> items = reader.list(body, path, false);
        List<Step.MsrValue> msrs = new ArrayList<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            String itemPath = YamlReader.item(path, i);
            YamlMap m = reader.map(items.get(i), itemPath, SET_MSR_KEYS);
            if (m == null) {
                continue;
            }
            Node index = m.require("index");
            Node value = m.require("value");
            Integer idx = index == null ? null : reader.u32(index, m.path("index"));
            Long val = value == null ? null : reader.u64(value, m.path("value"));
            if (idx != null && val != null) {
                msrs.add(new Step.MsrValue(idx, val));
            }
        }
        Integer count = expectedCount(step, "KVM_SET_MSRS", items);
        return reader.errorCount() == before ? new Step.HostSetMsrs(msrs, count, vcpu, source) : null;
    }

    private Step hostGetMsrs(YamlMap step, Node body, String path, SourceRef source, int vcpu) {
        int before = reader.errorCount();
        List<Node> items = reader.list(body, path, false);
        List<Step.MsrRead> msrs = new ArrayList<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            String itemPath = YamlReader.item(path, i);
            int itemBefore = reader.errorCount();
            YamlMap m = reader.map(items.get(i), itemPath, GET_MSR_KEYS);
            if (m == null) {
                continue;
            }
            Node index = m.require("index");
            Integer idx = index == null ? null : reader.u32(index, m.path("index"));
            Long value = m.has("value") ? reader.u64(m.get("value"), m.path("value")) : null;
            Long mask = m.has("mask") ? reader.u64(m.get("mask"), m.path("mask")) : null;
            if (m.has("mask") && !m.has("value")) {
                reader.error(m.get("mask"), m.path("mask"), "a mask needs a value to compare with");
            }
            if (reader.errorCount() == itemBefore) {
                ValueExpectation expected = value == null ? ValueExpectation.ANY
                        : new ValueExpectation(value, mask == null ? -1L : mask);
                msrs.add(new Step.MsrRead(idx, expected));
            }
        }
        Integer count = expectedCount(step, "KVM_GET_MSRS", items);
        return reader.errorCount() == before ? new Step.HostGetMsrs(msrs, count, vcpu, source) : null;
    }

    /** The ioctl's return value: how many entries it processed, so at most the number given. */
    private Integer expectedCount(YamlMap step, String ioctl, List<Node> items) {
        Node node = step.require("expect");
        Integer count = node == null ? null : reader.u32(node, step.path("expect"));
        if (count != null && items != null && Integer.toUnsignedLong(count) > items.size()) {
            reader.error(node, step.path("expect"), ioctl + " returns at most the number of entries (" + items.size()
                    + "), got " + Integer.toUnsignedString(count));
            return null;
        }
        return count;
    }

    private static <T> Map<String, T> ordered(String k1, T v1, String k2, T v2) {
        Map<String, T> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    private static Map<String, ExitReason> exitReasons() {
        Map<String, ExitReason> map = new LinkedHashMap<>();
        for (ExitReason reason : ExitReason.values()) {
            map.put(reason.name(), reason);
        }
        return map;
    }

    /** ok first, then the errno names by number, as a reader of errno.h expects them. */
    private static Map<String, Integer> errnos() {
        Map<String, Integer> map = new LinkedHashMap<>();
        Errno.names().forEach(name -> map.put(name, Errno.byName(name).orElseThrow()));
        return map;
    }
}
