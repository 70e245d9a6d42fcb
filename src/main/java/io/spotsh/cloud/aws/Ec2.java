package io.spotsh.cloud.aws;

import io.spotsh.cloud.CloudException;
import io.spotsh.common.BadInput;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One EC2 client and the rules for calling it: credentials and region resolved (and checked) when opened, one
 * small HTTP client with timeouts, {@link Ec2Retries}, and client-side failures turned into spotsh's errors. An
 * endpoint that never answered is bad input (a wrong {@code --aws-endpoint} or region); once it has answered, a
 * lost connection is a {@link CloudException}.
 */
final class Ec2 implements AutoCloseable {
    private final Ec2Client client;
    private final String where;
    private final Region region;
    private final URI endpoint;
    private volatile boolean answered;

    private Ec2(Ec2Client client, String where, Region region, URI endpoint) {
        this.client = client;
        this.where = where;
        this.region = region;
        this.endpoint = endpoint;
    }

    /** Opens a client; {@code interceptors} see every call (tests count and rewrite calls with them). */
    static Ec2 open(AwsSettings settings, List<ExecutionInterceptor> interceptors) {
        Region region = region(settings);
        AwsCredentialsProvider credentials = credentials(settings);
        Ec2ClientBuilder builder = Ec2Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(settings.connectTimeout())
                        .socketTimeout(settings.readTimeout()))
                .overrideConfiguration(o -> o
                        .retryStrategy(Ec2Retries.strategy(settings.maxAttempts()))
                        .apiCallAttemptTimeout(settings.readTimeout().plus(settings.connectTimeout()))
                        .apiCallTimeout(Duration.ofMinutes(3))
                        .executionInterceptors(List.copyOf(interceptors)));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return new Ec2(builder.build(), settings.endpointText(), region, settings.endpoint());
    }

    Region region() {
        return region;
    }

    /** The credentials this client signs with, for the account's other services (the Price List). Never logged. */
    IdentityProvider<? extends AwsCredentialsIdentity> credentials() {
        return client.serviceClientConfiguration().credentialsProvider();
    }

    /** The endpoint override, or null when the SDK picks AWS's own endpoint for the region. */
    URI endpoint() {
        return endpoint;
    }

    /** Runs one EC2 call; service errors pass through for the caller to read, client failures are translated. */
    <T> T call(String action, Function<Ec2Client, T> call) {
        try {
            T result = call.apply(client);
            answered = true;
            return result;
        } catch (AwsServiceException e) {
            answered = true;
            if (Ec2Errors.credentials(e)) {
                throw new BadInput("EC2 at " + where + " refused the AWS credentials (" + Ec2Errors.code(e)
                        + "); check the profile or AWS_ACCESS_KEY_ID", e);
            }
            throw e;
        } catch (SdkClientException e) {
            throw clientFailure(action, e);
        }
    }

    /** An error message for a failed call: action, code and EC2's words, one line. */
    static String failure(String action, SdkException e) {
        return action + " failed: " + (e instanceof AwsServiceException s ? words(s)
                : String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip());
    }

    /** EC2's error code and message on one line. */
    static String words(AwsServiceException e) {
        return (Ec2Errors.code(e) + ": " + Ec2Errors.message(e)).replaceAll("\\s+", " ").strip();
    }

    private RuntimeException clientFailure(String action, SdkClientException e) {
        boolean network = Ec2Retries.hasCause(e, ConnectException.class) || Ec2Retries.hasCause(e, UnknownHostException.class)
                || Ec2Retries.hasCause(e, NoRouteToHostException.class) || Ec2Retries.hasCause(e, SocketTimeoutException.class);
        if (network && !answered) {
            return new BadInput("cannot reach EC2 at " + where + " (" + rootMessage(e) + "); check --aws-endpoint,"
                    + " --region and the network", e);
        }
        return new CloudException("EC2 " + failure(action, e), e);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return (m == null ? root.getClass().getSimpleName() : m).replaceAll("\\s+", " ").strip();
    }

    private static Region region(AwsSettings settings) {
        if (settings.region() != null) {
            return Region.of(settings.region());
        }
        try {
            DefaultAwsRegionProviderChain.Builder chain = DefaultAwsRegionProviderChain.builder();
            if (settings.profile() != null) {
                chain.profileName(settings.profile());
            }
            return chain.build().getRegion();
        } catch (SdkClientException e) {
            throw new BadInput("no AWS region: pass --region, set AWS_REGION, or set region in the profile", e);
        }
    }

    /**
     * Resolved now, so missing credentials are reported before anything is asked of EC2, naming the source that
     * was tried. Every kind of profile works: keys, {@code role_arn} (assume-role, through STS), {@code sso_session}
     * or {@code sso_start_url} (IAM Identity Center), {@code web_identity_token_file}, {@code credential_process}.
     * Never logged.
     */
    private static AwsCredentialsProvider credentials(AwsSettings settings) {
        try {
            AwsCredentialsProvider provider = settings.profile() != null
                    ? ProfileCredentialsProvider.builder().profileName(settings.profile()).build()
                    : DefaultCredentialsProvider.builder().build();
            provider.resolveCredentials();
            return provider;
        } catch (SdkException | IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
            throw new BadInput(settings.profile() != null
                    ? "no AWS credentials from profile '" + settings.profile() + "' (" + profileSource(settings.profile())
                            + "): " + reason(e)
                    : "no AWS credentials: tried the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment, web identity"
                            + " (AWS_WEB_IDENTITY_TOKEN_FILE), the default profile of ~/.aws/config and ~/.aws/credentials,"
                            + " the container and the instance role; set one, or pass --profile", e);
        }
    }

    /** What kind of source a profile is, by its keys (never its values), for the message. */
    private static String profileSource(String name) {
        Optional<Profile> profile;
        try {
            profile = ProfileFile.defaultProfileFile().profile(name);
        } catch (RuntimeException unreadable) {
            return "~/.aws/config or ~/.aws/credentials unreadable";
        }
        if (profile.isEmpty()) {
            return "no such profile in ~/.aws/config or ~/.aws/credentials";
        }
        Profile p = profile.get();
        if (p.property("web_identity_token_file").isPresent()) {
            return "web identity: role_arn with web_identity_token_file";
        }
        if (p.property("role_arn").isPresent()) {
            return "assume-role: role_arn with " + p.property("source_profile").map(s -> "source_profile '" + s + "'")
                    .orElseGet(() -> p.property("credential_source").map(s -> "credential_source " + s)
                            .orElse("no source_profile or credential_source"));
        }
        if (p.property("sso_session").isPresent() || p.property("sso_start_url").isPresent()) {
            return "IAM Identity Center (SSO): run 'aws sso login --profile " + name + "'";
        }
        if (p.property("credential_process").isPresent()) {
            return "credential_process";
        }
        return p.property("aws_access_key_id").isPresent() ? "access keys" : "no credentials in it";
    }

    /** The SDK's reason, cut before any dump of the profile file. */
    private static String reason(Throwable e) {
        String m = String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
        int dump = m.indexOf(": ProfileFile(");
        m = dump < 0 ? m : m.substring(0, dump);
        return m.length() <= 160 ? m : m.substring(0, 157) + "...";
    }

    @Override
    public void close() {
        client.close();
    }
}
