package io.poolclient.spring;

import io.poolclient.Header;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import org.springframework.util.MultiValueMap;
import org.jspecify.annotations.Nullable;

/**
 * A response's headers as the read-only, case-insensitive {@link MultiValueMap} Spring's
 * {@code HttpHeaders} wraps, straight over the engine's header list: lookups scan the (short) list
 * instead of copying every header into a map first. Only iteration builds the grouped view, once.
 * Not thread-safe; a response is read by one thread.
 */
final class ResponseHeaders extends AbstractMap<String, List<String>> implements MultiValueMap<String, String> {

    private final List<Header> headers;
    private Map<String, List<String>> grouped;

    ResponseHeaders(List<Header> headers) {
        this.headers = headers instanceof RandomAccess ? headers : List.copyOf(headers);
    }

    @Override
    public @Nullable List<String> get(@Nullable Object key) {
        if (!(key instanceof String name)) {
            return null;
        }
        List<String> values = null;
        for (int i = 0; i < headers.size(); i++) { // indexed: no iterator per lookup
            Header h = headers.get(i);
            if (h.name().equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(1);
                }
                values.add(h.value());
            }
        }
        return values == null ? null : Collections.unmodifiableList(values);
    }

    @Override
    public boolean containsKey(@Nullable Object key) {
        return getFirst(key instanceof String name ? name : null) != null;
    }

    @Override
    public @Nullable String getFirst(@Nullable String name) {
        if (name == null) {
            return null;
        }
        for (int i = 0; i < headers.size(); i++) {
            Header h = headers.get(i);
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    @Override
    public boolean isEmpty() {
        return headers.isEmpty();
    }

    @Override
    public Set<Entry<String, List<String>>> entrySet() {
        if (grouped == null) {
            Map<String, List<String>> byName = new LinkedHashMap<>();
            Map<String, String> firstSpelling = new LinkedHashMap<>();
            for (Header h : headers) {
                String key = firstSpelling.computeIfAbsent(h.name().toLowerCase(java.util.Locale.ROOT), k -> h.name());
                byName.computeIfAbsent(key, k -> new ArrayList<>(1)).add(h.value());
            }
            byName.replaceAll((k, v) -> Collections.unmodifiableList(v));
            grouped = Collections.unmodifiableMap(byName);
        }
        return grouped.entrySet();
    }

    @Override
    public Map<String, String> toSingleValueMap() {
        Map<String, String> single = new LinkedHashMap<>();
        entrySet().forEach(e -> single.put(e.getKey(), e.getValue().get(0)));
        return Collections.unmodifiableMap(single);
    }

    @Override
    public void add(String key, String value) {
        throw readOnly();
    }

    @Override
    public void addAll(String key, List<? extends String> values) {
        throw readOnly();
    }

    @Override
    public void addAll(MultiValueMap<String, String> values) {
        throw readOnly();
    }

    @Override
    public void set(String key, String value) {
        throw readOnly();
    }

    @Override
    public void setAll(Map<String, String> values) {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("response headers are read-only");
    }
}
