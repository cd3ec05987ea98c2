package io.poolclient.internal.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http2.hpack.HPackDecoder;
import org.junit.jupiter.api.Test;

class HeaderBlockEncoderTest {

    @Test
    void blocksDecodeToTheSameFieldsInOrderWithAFreshDecoderEachTime() throws Exception {
        List<Header> fields = List.of(
                new BasicHeader(":method", "GET"),
                new BasicHeader(":scheme", "https"),
                new BasicHeader(":authority", "127.0.0.1:8443"),
                new BasicHeader(":path", "/a/b?c=d"),
                new BasicHeader("accept", "application/json, */*"),
                new BasicHeader("accept-encoding", "gzip, deflate"),
                new BasicHeader("x-custom-name", "value"),
                new BasicHeader("x-empty", ""),
                new BasicHeader("x-long", "v".repeat(5000)),
                new BasicHeader("x-utf8", "gr\u00fc\u00dfe \u20ac"),
                new BasicHeader("authorization", "Bearer secret", true));

        List<Header> decoded = decode(HeaderBlockEncoder.encode(fields));

        assertThat(decoded).hasSize(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            assertThat(decoded.get(i).getName()).isEqualTo(fields.get(i).getName());
            assertThat(decoded.get(i).getValue()).isEqualTo(fields.get(i).getValue());
        }
        // the dynamic table is never used: a second block decodes alone, with nothing carried over
        assertThat(decode(HeaderBlockEncoder.encode(fields.subList(4, 7)))).extracting(Header::getName)
                .containsExactly("accept", "accept-encoding", "x-custom-name");
    }

    @Test
    void staticTableFieldsAreOneByteAndSensitiveValuesAreNeverIndexed() {
        assertThat(HeaderBlockEncoder.encode(List.of(new BasicHeader(":method", "GET"), new BasicHeader(":path", "/"),
                new BasicHeader(":scheme", "http")))).containsExactly(0x82, 0x84, 0x86);

        byte[] secret = HeaderBlockEncoder.encode(List.of(new BasicHeader("authorization", "x", true)));
        assertThat(secret[0] & 0xf0).isEqualTo(0x10); // literal never indexed
        // name from the static table: index 23 overflows the 4-bit prefix (15) and continues with 8
        assertThat(secret[0] & 0x0f).isEqualTo(15);
        assertThat(secret[1]).isEqualTo((byte) 8);
    }

    @Test
    void manyFieldsMakeOneValidBlock() throws Exception {
        List<Header> fields = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            fields.add(new BasicHeader("x-field-" + i, "value-" + i));
        }
        List<Header> decoded = decode(HeaderBlockEncoder.encode(fields));
        assertThat(decoded).hasSize(300);
        assertThat(decoded.get(299).getName()).isEqualTo("x-field-299");
        assertThat(decoded.get(299).getValue()).isEqualTo("value-299");
    }

    private static List<Header> decode(byte[] block) throws Exception {
        HPackDecoder decoder = new HPackDecoder(0, StandardCharsets.UTF_8);
        return decoder.decodeHeaders(ByteBuffer.wrap(block));
    }
}
