package io.spotsh.cli;

import io.spotsh.node.NodeUserData;
import io.spotsh.report.Table;
import io.spotsh.shell.Session;
import io.spotsh.workflow.Images;
import org.jline.builtins.Options;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code spotsh image bake|ls|rm}: the node images of a cloud (see {@link Images}, the shell's {@code images}).
 * The local cloud has none: exit {@value ExitCodes#NO_IMAGES}, pointing at {@code spotsh tools install}.
 */
final class ImageCommand implements Subcommands.Command {
    private static final String[] USAGE = {
        "image - bake, list and remove node images (aws)",
        "Usage: spotsh [OPTIONS] image bake [--region=R] [--instance-type=T] [--from=DIR] [--base-owner=O] [--base-name=P]",
        "       spotsh [OPTIONS] image ls [--region=R]",
        "       spotsh [OPTIONS] image rm [--region=R] ami-...",
        "  bake                   builder from the stock Debian 12 image, ami/bake.sh on it, CreateImage; recorded as",
        "                         the region's node image (launches boot it unless options: [ami: ...])",
        "  ls                     the images spotsh baked, per region, and which one launches use",
        "  rm ami-...             deregister an image and delete its snapshots",
        "     --provider=NAME     the cloud (default: --provider, $SPOTSH_PROVIDER); the local cloud has no images",
        "     --region=R          the region (default: --region, the SDK's region chain)",
        "     --instance-type=T   the builder's instance type (default m5.large)",
        "     --from=DIR          the spotsh checkout with ami/, scripts/, ycsb-cql/ (default: the one spotsh runs from)",
        "     --base-owner=O      owner of the base image (default 136693071363, Debian)",
        "     --base-name=P       name pattern of the base image, newest taken (default debian-12-amd64-*)",
        "  -? -h --help           show this help"
    };

    @Override
    public String summary() {
        return "image bake|ls|rm";
    }

    @Override
    public int run(Context context, List<String> args) {
        Options options = Subcommands.options(USAGE, args, context);
        if (options == null) {
            return ExitCodes.OK;
        }
        List<String> words = options.args();
        if (words.isEmpty() || !List.of("bake", "ls", "rm").contains(words.get(0))) {
            throw new ExitCodes.UsageError("usage: spotsh image bake|ls|rm (spotsh image --help)");
        }
        String verb = words.get(0);
        if (!verb.equals("rm") && words.size() > 1) {
            throw new ExitCodes.UsageError("image " + verb + " takes no arguments, got " + words.subList(1, words.size()));
        }
        if (verb.equals("rm") && words.size() != 2) {
            throw new ExitCodes.UsageError("usage: spotsh image rm ami-... (one image)");
        }
        Map<String, Object> named = new LinkedHashMap<>();
        named.put("provider", options.isSet("provider") ? options.get("provider") : context.provider());
        if (options.isSet("region")) {
            named.put("region", options.get("region"));
        }
        if (!verb.equals("bake")) {
            for (String bakeOnly : List.of("instance-type", "from", "base-owner", "base-name")) {
                if (options.isSet(bakeOnly)) {
                    throw new ExitCodes.UsageError("--" + bakeOnly + " is for image bake, not image " + verb);
                }
            }
        }
        try (Session session = new Session(context.sessionSettings(), new NodeUserData(context.stateDir()), List.of(),
                context.err())) {
            Images images = session.images();
            switch (verb) {
                case "bake" -> {
                    for (String[] o : new String[][] {{"instance-type", "instanceType"}, {"from", "from"},
                            {"base-owner", "baseOwner"}, {"base-name", "baseName"}}) {
                        if (options.isSet(o[0])) {
                            named.put(o[1], options.get(o[0]));
                        }
                    }
                    Map<String, Object> baked = images.bake(named);
                    context.out().println("spotsh image bake: " + baked.get("image") + " (" + baked.get("name") + ") is "
                            + baked.get("region") + "'s node image; tools of " + baked.get("types"));
                }
                case "ls" -> {
                    List<Map<String, Object>> rows = images.ls(named);
                    if (rows.isEmpty()) {
                        context.out().println("spotsh image ls: no node images (spotsh image bake makes one)");
                    } else {
                        context.out().print(Table.of(rows).render());
                    }
                }
                default -> {
                    Map<String, Object> removed = images.rm(named, words.get(1));
                    context.out().println("spotsh image rm: " + removed.get("image") + " deregistered in "
                            + removed.get("region") + ", snapshots deleted: " + removed.get("snapshots"));
                }
            }
            return ExitCodes.OK;
        }
    }
}
