package io.spotsh.cloud.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * EC2 refuses a whole DescribeInstances or TerminateInstances call when one id is unknown or malformed. So that a
 * bad id never stops the rest, the ids EC2 names are set aside and the call is repeated for the others; when
 * EC2 names none of them the batch is split in halves until the bad ones stand alone.
 */
final class BadIds {
    static final Set<String> CODES = Set.of("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed");

    private BadIds() {
    }

    /** Calls {@code call} for the good ids of {@code batch}; bad ones go to {@code failed} with EC2's reason. */
    static <T> List<T> around(List<String> batch, Map<String, String> failed, Function<List<String>, List<T>> call) {
        List<T> out = new ArrayList<>();
        List<String> rest = new ArrayList<>(batch);
        while (!rest.isEmpty()) {
            try {
                out.addAll(call.apply(rest));
                return out;
            } catch (AwsServiceException e) {
                if (Ec2Errors.code(e) == null || !CODES.contains(Ec2Errors.code(e))) {
                    throw e;
                }
                String reason = Ec2Errors.code(e) + ": " + Ec2Errors.message(e);
                Set<String> named = named(rest, Ec2Errors.message(e));
                if (named.isEmpty() && rest.size() == 1) {
                    failed.put(rest.get(0), reason);
                    return out;
                }
                if (named.isEmpty()) {
                    int half = rest.size() / 2;
                    out.addAll(around(rest.subList(0, half), failed, call));
                    out.addAll(around(rest.subList(half, rest.size()), failed, call));
                    return out;
                }
                for (String id : named) {
                    failed.put(id, reason);
                }
                rest.removeAll(named);
            }
        }
        return out;
    }

    /** The ids of {@code batch} that a message names as whole words. */
    static Set<String> named(List<String> batch, String message) {
        Set<String> words = new LinkedHashSet<>(List.of(String.valueOf(message).split("[^A-Za-z0-9_-]+")));
        Set<String> out = new LinkedHashSet<>();
        for (String id : batch) {
            if (words.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            out.add(items.subList(i, Math.min(items.size(), i + size)));
        }
        return out;
    }
}
