package io.msrconf.backend;

import io.msrconf.guest.GuestResult;
import java.util.List;
import java.util.stream.Collectors;

/** Everything that happened to one guest access: the userspace exits it caused, in order, and its result. */
public record AccessOutcome(List<MsrExit> exits, GuestResult result) {

    public AccessOutcome {
        exits = List.copyOf(exits);
    }

    public String describe() {
        if (exits.isEmpty()) {
            return result.describe();
        }
        return exits.stream().map(MsrExit::describe).collect(Collectors.joining(", then ")) + ", then " + result.describe();
    }
}
