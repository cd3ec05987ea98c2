package io.poolclient.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.Header;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/** Spring sees the engine's header list as ordinary read-only, case-insensitive {@link HttpHeaders}. */
class ResponseHeadersTest {

    private final HttpHeaders headers = HttpHeaders.readOnlyHttpHeaders(new ResponseHeaders(List.of(
            new Header("Content-Type", "application/json"), new Header("Content-Length", "42"),
            new Header("Set-Cookie", "a=1"), new Header("set-cookie", "b=2"), new Header("X-Empty", ""))));

    @Test
    void lookupsAreCaseInsensitiveAndKeepEveryValueInOrder() {
        assertThat(headers.getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
        assertThat(headers.getContentLength()).isEqualTo(42);
        assertThat(headers.getFirst("content-type")).isEqualTo("application/json");
        assertThat(headers.get("SET-COOKIE")).containsExactly("a=1", "b=2");
        assertThat(headers.containsHeader("x-empty")).isTrue();
        assertThat(headers.getFirst("X-Empty")).isEmpty();
        assertThat(headers.containsHeader("X-Missing")).isFalse();
        assertThat(headers.get("X-Missing")).isNull();
    }

    @Test
    void iterationGroupsNamesUnderTheirFirstSpelling() {
        Map<String, List<String>> seen = new LinkedHashMap<>();
        headers.forEach(seen::put);
        assertThat(seen).containsExactly(Map.entry("Content-Type", List.of("application/json")),
                Map.entry("Content-Length", List.of("42")), Map.entry("Set-Cookie", List.of("a=1", "b=2")),
                Map.entry("X-Empty", List.of("")));
        assertThat(headers.size()).isEqualTo(4);
        assertThat(headers.toSingleValueMap()).containsEntry("Set-Cookie", "a=1").hasSize(4);
    }

    @Test
    void theyAreReadOnly() {
        assertThatThrownBy(() -> headers.add("X-New", "1")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> headers.set("Content-Length", "1")).isInstanceOf(UnsupportedOperationException.class);
    }
}
