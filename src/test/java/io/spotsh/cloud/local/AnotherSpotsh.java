package io.spotsh.cloud.local;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Providers;
import io.spotsh.cloud.Tags;
import io.spotsh.common.StateDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * A separate spotsh process for {@link LocalCloudTest}: launches instances on the local cloud of a state
 * directory, prints their ids, and exits, leaving them to whoever comes next.
 *
 * <pre>java -cp ... io.spotsh.cloud.local.AnotherSpotsh STATE_DIR TEST COUNT USERDATA_FILE</pre>
 */
public final class AnotherSpotsh {
    private AnotherSpotsh() {
    }

    public static void main(String[] args) throws Exception {
        Provider cloud = Providers.open("local", new StateDir(Path.of(args[0])), Map.of());
        String test = args[1];
        for (Instance i : cloud.launch(new LaunchRequest(test, "data", Integer.parseInt(args[2]), "local-a", null, null,
                Files.readString(Path.of(args[3])), Tags.of(test, "data", "another", Instant.now(), null), Map.of()))) {
            System.out.println(i.id());
        }
        System.out.println("daemon " + ((LocalProvider) cloud).status().get("pid"));
    }
}
