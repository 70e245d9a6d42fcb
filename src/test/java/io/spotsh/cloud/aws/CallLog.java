package io.spotsh.cloud.aws;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sees every EC2 call a provider makes: counts calls (one per API call, however many attempts) and attempts,
 * keeps the requests for inspection, and refuses to let any request leave for a host that is not loopback.
 */
final class CallLog implements ExecutionInterceptor {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        calls.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
        requests.add(context.request());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String host = context.httpRequest().host();
        if (!loopback(host)) {
            throw new IllegalStateException("a test tried to reach EC2 at " + host + ": only loopback (moto) is allowed");
        }
        attempts.incrementAndGet();
    }

    static boolean loopback(String host) {
        try {
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    List<String> calls() {
        return new ArrayList<>(calls);
    }

    int count() {
        return calls.size();
    }

    int count(String operation) {
        return (int) calls.stream().filter(operation::equals).count();
    }

    int attempts() {
        return attempts.get();
    }

    /** The requests of one type, in the order sent. */
    <T extends SdkRequest> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    void clear() {
        calls.clear();
        requests.clear();
        attempts.set(0);
    }
}
