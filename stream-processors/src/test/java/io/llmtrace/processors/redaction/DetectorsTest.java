package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DetectorsTest {

  /** detector, text, the exact substring it must find. */
  static Stream<Arguments> positives() {
    return Stream.of(
        Arguments.of("email", "mail jane.doe+billing@example.co.uk today", "jane.doe+billing@example.co.uk"),
        Arguments.of("email", "{\"email\":\"bob@corp.io\"}", "bob@corp.io"),
        Arguments.of("phone", "call +44 20 7946 0958 now", "+44 20 7946 0958"),
        Arguments.of("phone", "office (415) 555-0132.", "(415) 555-0132"),
        Arguments.of("phone", "cell 415-555-0132", "415-555-0132"),
        Arguments.of("phone", "Tel. 01 23 45 67 89", "01 23 45 67 89"),
        Arguments.of("phone", "Ruf an: 030 12345678", "030 12345678"),
        Arguments.of("phone", "mobile 07700 900123", "07700 900123"),
        Arguments.of("phone", "E.164 +4915112345678", "+4915112345678"),
        Arguments.of("payment_card", "card 4111 1111 1111 1111 exp 12/29", "4111 1111 1111 1111"),
        Arguments.of("payment_card", "pan=5555-5555-5555-4444", "5555-5555-5555-4444"),
        Arguments.of("payment_card", "amex 378282246310005", "378282246310005"),
        Arguments.of("payment_card", "year 2024 4111111111111111 paid", "4111111111111111"),
        Arguments.of("payment_card", "mc2 2221000000000009", "2221000000000009"),
        Arguments.of("iban", "IBAN DE89 3704 0044 0532 0130 00 please", "DE89 3704 0044 0532 0130 00"),
        Arguments.of("iban", "to GB82WEST12345698765432", "GB82WEST12345698765432"),
        Arguments.of("us_ssn", "SSN 123-45-6789 on file", "123-45-6789"),
        Arguments.of("ipv4", "from 192.168.1.20 via", "192.168.1.20"),
        Arguments.of("ipv4", "client_ip=10.0.0.255,", "10.0.0.255"),
        Arguments.of("ipv6", "addr 2001:db8:85a3::8a2e:370:7334 ok", "2001:db8:85a3::8a2e:370:7334"),
        Arguments.of("ipv6", "full fe80:0:0:0:202:b3ff:fe1e:8329", "fe80:0:0:0:202:b3ff:fe1e:8329"),
        Arguments.of("aws_access_key_id", "key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE"),
        Arguments.of("aws_access_key_id", "ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"),
        Arguments.of("aws_secret_key", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        Arguments.of("aws_secret_key", "AWS secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        Arguments.of("github_token", "token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 end", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
        Arguments.of("github_token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv"),
        Arguments.of("stripe_key", "STRIPE sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
        Arguments.of("stripe_key", "rk_live_51Habcdefghij", "rk_live_51Habcdefghij"),
        Arguments.of("llm_api_key", "OPENAI_API_KEY is sk-proj-abcdefghijklmnopqrstuvwxyz012345", "sk-proj-abcdefghijklmnopqrstuvwxyz012345"),
        Arguments.of("llm_api_key", "use sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz_0123", "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz_0123"),
        Arguments.of("slack_token", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
        Arguments.of("slack_token", "app xapp-1-A0123456789-1234567890123-abcdef", "xapp-1-A0123456789-1234567890123-abcdef"),
        Arguments.of("google_api_key", "key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&q=x", "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"),
        Arguments.of("jwt", "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
        Arguments.of("bearer_token", "Authorization: Bearer abc123def456ghi789", "abc123def456ghi789"),
        Arguments.of("bearer_token", "{\"authorization\": \"Basic dXNlcjpwYXNzd29yZA==\"}", "dXNlcjpwYXNzd29yZA=="),
        Arguments.of("private_key", "k=-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"),
        Arguments.of("private_key", "truncated -----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN", "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN"),
        Arguments.of("url_credentials", "dsn postgres://app:s3cr3t!@db.internal:5432/x", "s3cr3t!"),
        Arguments.of("secret_assignment", "db password=hunter2 host=x", "hunter2"),
        Arguments.of("secret_assignment", "{\"password\": \"correct horse battery\"}", "correct horse battery"),
        Arguments.of("secret_assignment", "API_KEY: 'abc-123-xyz'", "abc-123-xyz"),
        Arguments.of("secret_assignment", "{\\\"client_secret\\\":\\\"q9Z-x\\\"}", "q9Z-x"),
        Arguments.of("secret_assignment", "export GITLAB_TOKEN=glpat-xxxxYYYY1234", "glpat-xxxxYYYY1234"));
  }

  /** detector, text it must not find anything in. */
  static Stream<Arguments> negatives() {
    return Stream.of(
        Arguments.of("email", "git tag v1.2@latest and @mention and a@b"),
        Arguments.of("email", "price is 5@3 for two"),
        Arguments.of("phone", "order ORD-2024-000123 shipped"),
        Arguments.of("phone", "date 2024-06-01 and 01.06.2024 and 06/01/2024"),
        Arguments.of("phone", "version 1.2.3.4 build 20240601"),
        Arguments.of("phone", "price $1,299.99 or 1299.99 EUR"),
        Arguments.of("phone", "uuid 123e4567-e89b-12d3-a456-426614174000"),
        Arguments.of("payment_card", "card 4111 1111 1111 1112 invalid luhn"),
        Arguments.of("payment_card", "order 1234567812345678 and ts 1717430400123456"),
        Arguments.of("payment_card", "trace 4bf92f3577b34da6a3ce929d0e0e4736"),
        Arguments.of("payment_card", "a 25-digit id 4111111111111111000000000"),
        Arguments.of("iban", "DE89 3704 0044 0532 0130 01 wrong checksum"),
        Arguments.of("iban", "ORDER AB12CDEFGHIJKLMNOP"),
        Arguments.of("us_ssn", "000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000"),
        Arguments.of("us_ssn", "date 2024-01-15 and order 12-345-6789"),
        Arguments.of("ipv4", "version 1.2.3.4 and v10.0.0.1 and 256.1.1.1 and 1.2.3.4.5"),
        Arguments.of("ipv4", "OID 1.3.6.1.4.1 and 01.02.03.04"),
        Arguments.of("ipv6", "at 14:12:00 and mac 00:1a:2b:3c:4d:5e and std::string"),
        Arguments.of("ipv6", "ISO 2026-06-04T14:12:00.123456Z"),
        Arguments.of("aws_access_key_id", "AKIA123 and XAKIAIOSFODNN7EXAMPLEX"),
        Arguments.of("aws_secret_key", "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 in aws"),
        Arguments.of("aws_secret_key", "random wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY without context"),
        Arguments.of("github_token", "ghp_short and the ghp_ prefix"),
        Arguments.of("stripe_key", "pk_live_ and sk_live"),
        Arguments.of("llm_api_key", "pip install sk-learn and task-1234"),
        Arguments.of("slack_token", "xoxb- and xox"),
        Arguments.of("google_api_key", "AIza too short"),
        Arguments.of("jwt", "eyJub3QiOiJqd3QifQ.eyJzdWIiOiIxIn0.sig"),
        Arguments.of("jwt", "eyebrow.eyeliner.eye"),
        Arguments.of("bearer_token", "the bearer of bad news and bearer instruments"),
        Arguments.of("private_key", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"),
        Arguments.of("url_credentials", "see https://example.com/a@b and mailto:x@y.z"),
        Arguments.of("secret_assignment", "max_tokens=512 input_tokens: 12 password: reset link sent"),
        Arguments.of("secret_assignment", "{\"password\": null, \"token\": \"[REDACTED:JWT]\"}"));
  }

  @ParameterizedTest(name = "{0} finds \"{2}\"")
  @MethodSource("positives")
  void detectorFindsPositive(String detector, String text, String expected) {
    assertThat(find(detector, text)).contains(expected);
  }

  @ParameterizedTest(name = "{0} ignores \"{1}\"")
  @MethodSource("negatives")
  void detectorIgnoresHardNegative(String detector, String text) {
    assertThat(find(detector, text)).isEmpty();
  }

  @Test
  void hardNegativesMatchNoDetectorAtAll() {
    List<String> texts = List.of(
        "order ORD-2024-000123 total $1,299.99 on 2024-06-01",
        "request 123e4567-e89b-12d3-a456-426614174000 at 2026-06-04T14:12:00.123456Z",
        "deployed version 1.2.3.4 from commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
        "trace_id 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
        "invoice 4111 1111 1111 1112 was rejected (bad check digit)",
        "gen_ai.usage.input_tokens=1200 max_tokens: 512 temperature: 0.2");
    for (String t : texts) {
      List<String> found = new ArrayList<>();
      TextProfile p = TextProfile.of(t);
      List<Finding> out = new ArrayList<>();
      BuiltInDetectors.all().values().forEach(d -> d.scan(t, p, out));
      out.forEach(f -> found.add(f.detector() + ":" + t.substring(f.start(), f.end())));
      assertThat(found).as(t).isEmpty();
    }
  }

  @Test
  void checksums() {
    assertThat(Checksums.luhn("4111111111111111")).isTrue();
    assertThat(Checksums.luhn("4111111111111112")).isFalse();
    assertThat(Checksums.iban("GB82 WEST 1234 5698 7654 32")).isTrue();
    assertThat(Checksums.iban("GB82 WEST 1234 5698 7654 33")).isFalse();
  }

  static List<String> find(String detector, String text) {
    List<Finding> out = new ArrayList<>();
    BuiltInDetectors.all().get(detector).scan(text, TextProfile.of(text), out);
    return out.stream().map(f -> text.substring(f.start(), f.end())).toList();
  }
}
