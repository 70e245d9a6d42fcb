package io.spotsh.cloud.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryUtils;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

import java.io.IOException;
import java.time.Duration;

/**
 * When an EC2 call is tried again: throttling ({@code RequestLimitExceeded}) with a long backoff, transient
 * server and connection errors with a short one, and never a capacity or price refusal. EC2 sends
 * {@code InsufficientInstanceCapacity} as an HTTP 500, which the SDK's defaults would retry for seconds while
 * another zone could already be launching; the workflow falls back instead.
 */
final class Ec2Retries {
    private Ec2Retries() {
    }

    static RetryStrategy strategy(int maxAttempts) {
        return StandardRetryStrategy.builder()
                .useClientDefaults(false) // the client's defaults would add "retry any 500" back
                .maxAttempts(maxAttempts)
                .retryOnException(Ec2Retries::retryable)
                .treatAsThrottling(Ec2Retries::throttling)
                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(5)))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofSeconds(1), Duration.ofSeconds(20)))
                .build();
    }

    static boolean retryable(Throwable t) {
        if (t instanceof AwsServiceException e) {
            if (Ec2Errors.isRefusal(e)) {
                return false;
            }
            return throttling(e) || e.statusCode() >= 500;
        }
        return t instanceof SdkClientException && hasCause(t, IOException.class);
    }

    static boolean throttling(Throwable t) {
        return t instanceof AwsServiceException e && (RetryUtils.isThrottlingException(e)
                || "RequestLimitExceeded".equals(Ec2Errors.code(e)));
    }

    static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
