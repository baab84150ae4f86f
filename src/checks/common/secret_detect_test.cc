// The credential detector: each kind found, and the false-positive traps that must stay silent.
// Every "secret" here is random text in the right shape, not a real credential.
#include "checks/common/secret_detect.h"

#include <string>

#include <gtest/gtest.h>

namespace kspm::checks {
namespace {

constexpr const char* kAwsKeyId = "AKIAUJZDE8GXD6NCF10E";
constexpr const char* kAwsSecret = "El2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5";
constexpr const char* kJwt =
    "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiY2ktYm90IiwgImlhdCI6IDE3MDAwMDAwMDB9."
    "z9w3QlY7Zkuvqdt7s8Stqcbnr3yBdGBLEPH1qhT61qt";
const std::string kPrivateKey =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9OiZ1BjP5CE/Wm/Rr500P\n"
    "RK+Lh9x5eJPo5CAZ3/ANBE0sTK0ZsDGMak2m1g7Z8qmtR1HxXz0fZkFqL\n"
    "-----END RSA PRIVATE KEY-----\n";

SecretKind kindOf(std::string_view name, std::string_view value) { return detectSecret(name, value).kind; }

TEST(SecretDetectTest, FindsEachTokenShape) {
  EXPECT_EQ(kindOf("ID", kAwsKeyId), SecretKind::kAwsAccessKeyId);
  EXPECT_EQ(kindOf("", std::string("key=") + kAwsKeyId + ";"), SecretKind::kAwsAccessKeyId);
  EXPECT_EQ(kindOf("KEY", kPrivateKey), SecretKind::kPrivateKey);
  EXPECT_EQ(kindOf("", "ghp_sMehGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8"), SecretKind::kGitHubToken);
  EXPECT_EQ(kindOf("", "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"),
            SecretKind::kGitHubToken);
  EXPECT_EQ(kindOf("", "glpat-Ku8iS2G8NPRVdD53X83R"), SecretKind::kGitLabToken);
  EXPECT_EQ(kindOf("", "xoxb-866661760313-7215901092815-Nbe3nNyjOq9wMxEhh2FDEEtf"), SecretKind::kSlackToken);
  EXPECT_EQ(kindOf("URL", "https://hooks.slack.com/services/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"),
            SecretKind::kSlackWebhook);
  EXPECT_EQ(kindOf("", "AIza2mZp0zVZomHFwUbbYrEqmSM9wCZ7Uw9xfog"), SecretKind::kGoogleApiKey);
  EXPECT_EQ(kindOf("", "sk_live_oEmvnEN5N1aE6PwZPf1Qh6yY"), SecretKind::kStripeKey);
  EXPECT_EQ(kindOf("AUTH", std::string("Bearer ") + kJwt), SecretKind::kJwt);
  EXPECT_EQ(kindOf("DATABASE_URL", "postgres://app:Hq7-fPz2kLw9@db.internal:5432/app"),
            SecretKind::kConnectionStringPassword);
  EXPECT_EQ(kindOf("REDIS", "redis://:s3Kr1tPa55w0rd@redis:6379/0"), SecretKind::kConnectionStringPassword);
}

TEST(SecretDetectTest, NameDrivenRules) {
  EXPECT_EQ(kindOf("AWS_SECRET_ACCESS_KEY", kAwsSecret), SecretKind::kAwsSecretAccessKey);
  EXPECT_EQ(kindOf("secretAccessKey", kAwsSecret), SecretKind::kAwsSecretAccessKey);
  EXPECT_EQ(kindOf("DB_PASSWORD", "Tr0ub4dor&3x"), SecretKind::kPassword);
  EXPECT_EQ(kindOf("spring.datasource.password", "admin123!"), SecretKind::kPassword);
  EXPECT_EQ(kindOf("API_KEY", "HGb3CXlMaXZjljENUhJduRHH"), SecretKind::kGenericSecret);
  EXPECT_EQ(kindOf("clientSecret", "9f8a7c6b5d4e3f2a1b0c9d8e7f6a5b4c"), SecretKind::kGenericSecret);
  EXPECT_EQ(kindOf("SLACK_TOKEN", "\"HGb3CXlMaXZjljENUhJduRHH\""), SecretKind::kGenericSecret);
}

TEST(SecretDetectTest, ReportsLengthsNotValues) {
  SecretHit h = detectSecret("AWS_SECRET_ACCESS_KEY", kAwsSecret);
  EXPECT_EQ(h.length, 40u);
  EXPECT_EQ(describeSecret(h), "an AWS secret access key (40 characters, redacted)");
  EXPECT_EQ(detectSecret("DATABASE_URL", "mysql://root:Hq7fPz2kLw@db/x").length, 10u);
  EXPECT_EQ(detectSecret("X", kJwt).length, std::string_view(kJwt).size());
}

TEST(SecretDetectTest, PlaceholdersAndReferencesAreNotSecrets) {
  EXPECT_FALSE(detectSecret("DB_PASSWORD", ""));
  EXPECT_FALSE(detectSecret("DB_PASSWORD", "$(DB_PASSWORD)"));
  EXPECT_FALSE(detectSecret("DB_PASSWORD", "${DB_PASSWORD}"));
  EXPECT_FALSE(detectSecret("DB_PASSWORD", "{{ .Values.password }}"));
  EXPECT_FALSE(detectSecret("DB_PASSWORD", "<password>"));
  EXPECT_FALSE(detectSecret("DB_PASSWORD", "changeme"));
  EXPECT_FALSE(detectSecret("DB_PASSWORD", "password"));
  EXPECT_FALSE(detectSecret("API_TOKEN", "xxxxxxxxxxxxxxxxxxxxxxxx"));
  EXPECT_FALSE(detectSecret("API_TOKEN", "your-api-token-goes-here"));
  EXPECT_FALSE(detectSecret("API_TOKEN", "dummy-Token-1234567890"));
  EXPECT_FALSE(detectSecret("ID", "AKIAIOSFODNN7EXAMPLE"));  // AWS documentation's example key
  EXPECT_FALSE(detectSecret("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
  EXPECT_FALSE(detectSecret("DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db:5432/app"));
  EXPECT_FALSE(detectSecret("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db:5432/app"));
  EXPECT_FALSE(detectSecret("DATABASE_URL", "postgres://app@db:5432/app"));
  EXPECT_FALSE(detectSecret("DATABASE_URL", "postgres://user:password@localhost/db"));
  EXPECT_FALSE(detectSecret("SLACK", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"));
  EXPECT_FALSE(detectSecret("", "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"));
}

TEST(SecretDetectTest, PlaceholderTestIsForValuesNotFormats) {
  EXPECT_TRUE(isPlaceholderValue("{{ .Values.token }}"));
  EXPECT_TRUE(isPlaceholderValue("<your token>"));
  EXPECT_TRUE(isPlaceholderValue("  $(TOKEN)  "));
  EXPECT_FALSE(isPlaceholderValue("{\"auths\":{\"registry.internal\":{\"auth\":\"Y2ktYm90Olpx\"}}}"));
  EXPECT_FALSE(isPlaceholderValue("Hq7-fPz2kLw9x"));
  EXPECT_FALSE(isPlaceholderValue("a>b"));
}

TEST(SecretDetectTest, FalsePositiveTraps) {
  // Base64 of ordinary text under an ordinary name.
  EXPECT_FALSE(detectSecret("config", "aGVsbG8gd29ybGQsIHRoaXMgaXMgb3JkaW5hcnkgdGV4dA=="));
  // UUIDs, even under a token-like name.
  EXPECT_FALSE(detectSecret("TENANT_ID", "3f2b8c1e-9d4a-4e6f-8b7c-2a1d0e9f8c7b"));
  EXPECT_FALSE(detectSecret("TOKEN", "3f2b8c1e-9d4a-4e6f-8b7c-2a1d0e9f8c7b"));
  // Image digests and Helm checksum annotations.
  EXPECT_FALSE(detectSecret("IMAGE", "nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"));
  EXPECT_FALSE(detectSecret("checksum/secret", "0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"));
  EXPECT_FALSE(detectSecret("checksum/config", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"));
  // References to secrets, not secrets.
  EXPECT_FALSE(detectSecret("existingSecret", "my-release-postgresql-Auth7"));
  EXPECT_FALSE(detectSecret("TOKEN_SECRET_NAME", "argocd-secret-Xy7zQ2"));
  EXPECT_FALSE(detectSecret("PASSWORD_FILE", "/etc/secrets/db-password"));
  EXPECT_FALSE(detectSecret("TOKEN_PATH", "/var/run/secrets/kubernetes.io/serviceaccount/token"));
  EXPECT_FALSE(detectSecret("secretKeyRef", "Zm9vYmFyYmF6cXV4MTIz"));
  // Names of Secrets and name-shaped placeholders.
  EXPECT_FALSE(detectSecret("cert-manager.io/inject-ca-from-secret", "cert-manager/cert-manager-webhook-ca"));
  EXPECT_FALSE(detectSecret("DB_SECRET", "orders-db-credentials-v2"));
  EXPECT_FALSE(detectSecret("ACCESS_KEY", "8312341g-5678-abcd-4a2b2c-33bcsd655"));
  // Low-entropy or single-class values.
  EXPECT_FALSE(detectSecret("DB_PASSWORD", "postgres"));
  EXPECT_FALSE(detectSecret("API_TOKEN", "aaaaaaaaaaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(detectSecret("SECRET", "argocd-repo-server-tls"));
  // URLs without credentials, and JWT-looking text that is not a JWT.
  EXPECT_FALSE(detectSecret("URL", "https://grafana.example.com:3000/login"));
  EXPECT_FALSE(detectSecret("ENDPOINT", "http://user@proxy:3128"));
  EXPECT_FALSE(detectSecret("X", "eyJub3Rhand0.eyJhYmNkZWZnaGlq.sig"));
  // A token shape inside a longer word is not a token.
  EXPECT_FALSE(detectSecret("", "XAKIAUJZDE8GXD6NCF10E"));
  // Secret-like names with prose values.
  EXPECT_FALSE(detectSecret("token", "set this to the token from the dashboard"));
}

TEST(SecretDetectTest, NameClassification) {
  EXPECT_TRUE(isSecretLikeName("DB_PASSWORD"));
  EXPECT_TRUE(isSecretLikeName("apiKey"));
  EXPECT_TRUE(isSecretLikeName("api-key"));
  EXPECT_TRUE(isSecretLikeName("GITHUB_TOKEN"));
  EXPECT_TRUE(isSecretLikeName("client_secret"));
  EXPECT_TRUE(isSecretLikeName("credentials"));
  EXPECT_FALSE(isSecretLikeName("secretName"));
  EXPECT_FALSE(isSecretLikeName("PASSWORD_FILE"));
  EXPECT_FALSE(isSecretLikeName("checksum/secret"));
  EXPECT_FALSE(isSecretLikeName("LOG_LEVEL"));
  EXPECT_FALSE(isSecretLikeName("keyFile"));
}

TEST(SecretDetectTest, EntropyInBitsPerCharacter) {
  EXPECT_DOUBLE_EQ(shannonEntropy(""), 0.0);
  EXPECT_DOUBLE_EQ(shannonEntropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(shannonEntropy("abcd"), 2.0);
  EXPECT_DOUBLE_EQ(shannonEntropy("abcdefgh"), 3.0);
}

TEST(SecretDetectTest, TextScanFindsTheLine) {
  TextSecretHit h = detectSecretInText(
      "server.port=8080\n"
      "# database\n"
      "spring.datasource.url=jdbc:postgresql://db:5432/app\n"
      "spring.datasource.password=Hq7-fPz2kLw9x\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h.line, 4u);
  EXPECT_EQ(h.hit.kind, SecretKind::kPassword);

  h = detectSecretInText("{\n  \"apiKey\": \"HGb3CXlMaXZjljENUhJduRHH\",\n  \"debug\": true\n}\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h.line, 2u);

  h = detectSecretInText("export AWS_SECRET_ACCESS_KEY=El2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h.hit.kind, SecretKind::kAwsSecretAccessKey);

  h = detectSecretInText("tls:\n  key: |\n" + kPrivateKey);
  ASSERT_TRUE(h);
  EXPECT_EQ(h.hit.kind, SecretKind::kPrivateKey);
  EXPECT_EQ(h.line, 3u);

  h = detectSecretInText("JAVA_OPTS=-Xmx1g -Dspring.datasource.password=Hq7-fPz2kLw9x -Dfile.encoding=UTF-8\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h.hit.kind, SecretKind::kPassword);

  EXPECT_FALSE(detectSecretInText("password: ${DB_PASSWORD}\ntoken: {{ .Values.token }}\nuser: admin\n"));
  EXPECT_FALSE(detectSecretInText("global:\n  scrape_interval: 15s\nrule_files:\n  - /etc/prometheus/rules/*.yaml\n"));
}

TEST(SecretDetectTest, CommandLineArguments) {
  EXPECT_EQ(detectSecretInArgument("--db-password=Hq7-fPz2kLw9x", "").kind, SecretKind::kPassword);
  EXPECT_EQ(detectSecretInArgument("Hq7-fPz2kLw9x", "--password").kind, SecretKind::kPassword);
  EXPECT_EQ(detectSecretInArgument("mysql -u root --password Hq7-fPz2kLw9x -h db", "").kind, SecretKind::kPassword);
  EXPECT_EQ(detectSecretInArgument("curl -H 'Authorization: token ghp_sMehGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8'", "").kind,
            SecretKind::kGitHubToken);
  EXPECT_FALSE(detectSecretInArgument("--password-file=/etc/secret/pw", ""));
  EXPECT_FALSE(detectSecretInArgument("--token=$(TOKEN)", ""));
  EXPECT_FALSE(detectSecretInArgument("--secret-name", ""));
  EXPECT_FALSE(detectSecretInArgument("argocd-secret", "--secret-name"));
  EXPECT_FALSE(detectSecretInArgument("--v=2", ""));
}

}  // namespace
}  // namespace kspm::checks
