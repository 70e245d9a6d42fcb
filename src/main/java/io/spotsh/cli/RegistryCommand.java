package io.spotsh.cli;

import io.spotsh.registry.EmbeddedServer;
import io.spotsh.registry.ServerStatus;

import java.util.List;

/** {@code spotsh registry status|stop}: the embedded registry server, which outlives spotsh processes. */
final class RegistryCommand implements Subcommands.Command {
    @Override
    public String summary() {
        return "registry status|stop";
    }

    @Override
    public int run(Context context, List<String> args) {
        if (args.size() != 1 || !List.of("status", "stop").contains(args.get(0))) {
            throw new ExitCodes.UsageError("usage: spotsh registry status|stop");
        }
        if (!context.registry().isEmbedded()) {
            throw new ExitCodes.UsageError("the registry is an external server (" + context.registry()
                    + "); spotsh only starts and stops its embedded one");
        }
        EmbeddedServer server = new EmbeddedServer(context.registry());
        if (args.get(0).equals("status")) {
            ServerStatus status = server.status();
            context.out().println(status);
            return ExitCodes.OK;
        }
        boolean stopped = server.stop();
        context.out().println(stopped ? "embedded registry stopped" : "embedded registry was not running");
        return ExitCodes.OK;
    }
}
