package io.msrconf.backend;

import io.msrconf.guest.GuestResult;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything that happened to one guest access: the userspace exits it caused, in order, and its result.
 * {@code unmodelled}: on the emulator, why the model cannot know this access's outcome (the CPU decides it),
 * else null; such an access's expectations are not checked on the emulator, and the report says so.
 */
public record AccessOutcome(List<MsrExit> exits, GuestResult result, String unmodelled) {

    public AccessOutcome {
        exits = List.copyOf(exits);
    }

    public AccessOutcome(List<MsrExit> exits, GuestResult result) {
        this(exits, result, null);
    }

    public String describe() {
        if (exits.isEmpty()) {
            return result.describe();
        }
        return exits.stream().map(MsrExit::describe).collect(Collectors.joining(", then ")) + ", then " + result.describe();
    }
}
