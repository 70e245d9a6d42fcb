package io.spotsh.cli;

import io.spotsh.common.StateDir;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.shell.Session;

import java.io.PrintStream;
import java.util.Map;

/**
 * What every command gets from the command line: where state lives, which registry and provider to use,
 * where to write, the environment.
 */
record Context(StateDir stateDir, RegistrySettings registry, String provider, boolean keep, boolean dryRun,
               Map<String, Map<String, Object>> providerSettings, PrintStream out, PrintStream err, Map<String, String> env,
               boolean debug, boolean sshSessions, SshCrypto sshCrypto, boolean install) {

    Session.Settings sessionSettings() {
        return new Session.Settings(stateDir, registry, provider, keep, dryRun, providerSettings, sshSessions,
                sshCrypto, install);
    }
}
