package io.spotsh.fanout.ssh;

import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.xfer.FileSystemFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Copies a file or a directory tree over SFTP and proves it arrived whole: the byte count on both sides must
 * match afterwards, or the transfer fails.
 */
final class SftpTransfer {
    private SftpTransfer() {
    }

    /** Whether a transfer failed because a disk is full (ENOSPC, locally or reported by the server). */
    static boolean diskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /** Uploads to {@code remote}, or into it when it is an existing directory (as {@code cp} does). */
    static long upload(SFTPClient sftp, Path local, String remote) throws IOException {
        if (!Files.exists(local)) {
            throw new IOException("no such local file: " + local);
        }
        String destination = remote;
        FileAttributes existing = sftp.statExistence(remote);
        if (existing != null && existing.getType() == FileMode.Type.DIRECTORY) {
            destination = (remote.endsWith("/") ? remote : remote + "/") + local.getFileName();
        }
        sftp.put(new FileSystemFile(local.toFile()), destination);
        return verified(localSize(local), remoteSize(sftp, destination), local.toString(), destination);
    }

    /** Downloads into {@code nodeDir}, keeping the remote file or directory name. */
    static long download(SFTPClient sftp, String remote, Path nodeDir) throws IOException {
        Files.createDirectories(nodeDir);
        Path destination = nodeDir.resolve(baseName(remote));
        sftp.get(remote, new FileSystemFile(destination.toFile()));
        return verified(remoteSize(sftp, remote), localSize(destination), remote, destination.toString());
    }

    private static long verified(long source, long copy, String from, String to) throws IOException {
        if (source != copy) {
            throw new IOException("size mismatch after copying " + from + " (" + source + " bytes) to " + to
                    + " (" + copy + " bytes)");
        }
        return source;
    }

    static String baseName(String remote) {
        String trimmed = remote.replaceAll("/+$", "");
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return name.isEmpty() ? "root" : name;
    }

    /** Bytes in a regular file, or in all regular files under a directory. */
    static long localSize(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return Files.size(path);
        }
        try (Stream<Path> files = Files.walk(path)) {
            long total = 0;
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                total += Files.size(p);
            }
            return total;
        }
    }

    static long remoteSize(SFTPClient sftp, String path) throws IOException {
        FileAttributes attributes = sftp.stat(path);
        if (attributes.getType() != FileMode.Type.DIRECTORY) {
            return attributes.getSize();
        }
        long total = 0;
        for (RemoteResourceInfo entry : sftp.ls(path)) {
            if (entry.isDirectory()) {
                total += remoteSize(sftp, entry.getPath());
            } else if (entry.isRegularFile()) {
                total += entry.getAttributes().getSize();
            }
        }
        return total;
    }
}
