package io.spotsh.fanout;

/** {@link FanoutRunTest} with the resident shell off: every command in a session of its own, as OpenSSH runs it. */
class FanoutRunSessionsTest extends FanoutRunTest {
    @Override
    FanoutSettings.Builder configure(FanoutSettings.Builder settings) {
        return settings.residentShell(false);
    }
}
