package io.spotsh.cloud.local;

import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * SFTP on a local instance: the machine's whole file system, as on a real node logged into as root, with
 * relative paths resolved against the instance's HOME ({@code <sandbox>/root}), where a node's {@code /root} is.
 */
final class SandboxSftp extends SftpSubsystemFactory {
    private final Function<SessionContext, Path> homes;

    SandboxSftp(Function<SessionContext, Path> homes) {
        this.homes = homes;
    }

    /** The file system factory to install on the server alongside: the default file system, homes per instance. */
    FileSystemFactory fileSystems() {
        return new FileSystemFactory() {
            @Override
            public Path getUserHomeDir(SessionContext session) {
                return homes.apply(session);
            }

            @Override
            public FileSystem createFileSystem(SessionContext session) {
                return FileSystems.getDefault();
            }
        };
    }

    @Override
    public Command createSubsystem(ChannelSession channel) throws IOException {
        Path home = homes.apply(channel.getSession());
        SftpSubsystem subsystem = new SftpSubsystem(channel, this) {
            {
                defaultDir = home;
            }

            @Override
            public void setFileSystem(FileSystem fileSystem) {
                super.setFileSystem(fileSystem);
                defaultDir = home;
            }
        };
        return subsystem;
    }
}
