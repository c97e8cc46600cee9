using Mira.Storage.Security;

namespace Mira.Storage.Tests.Security;

public sealed class PasswordHasherTests
{
    const int Iterations = 1000;

    readonly PasswordHasher hasher = new(Iterations);

    [Fact]
    public void Round_trip_accepts_the_password()
    {
        var encoded = hasher.Hash("correct horse battery staple");
        Assert.True(PasswordHasher.Verify("correct horse battery staple", encoded));
    }

    [Fact]
    public void Wrong_password_is_refused()
    {
        var encoded = hasher.Hash("correct horse battery staple");
        Assert.False(PasswordHasher.Verify("correct horse battery stapler", encoded));
        Assert.False(PasswordHasher.Verify("", encoded));
    }

    [Fact]
    public void Each_hash_has_its_own_salt()
    {
        var hashes = Enumerable.Range(0, 20).Select(_ => hasher.Hash("same password")).ToArray();
        Assert.Equal(20, hashes.Distinct().Count());
        Assert.Equal(20, hashes.Select(h => Parse(h).Salt).Select(Convert.ToBase64String).Distinct().Count());
    }

    [Fact]
    public void Encoding_is_self_describing()
    {
        var encoded = hasher.Hash("p4ssw0rd!");
        var fields = encoded.Split('$');
        Assert.Equal(["pbkdf2-sha256", "1000"], fields[..2]);
        var parts = Parse(encoded);
        Assert.Equal(Iterations, parts.Iterations);
        Assert.Equal(PasswordHasher.SaltBytes, parts.Salt.Length);
        Assert.Equal(PasswordHasher.HashBytes, parts.Hash.Length);
        Assert.Equal(encoded, PasswordHasher.Format(parts));
    }

    [Fact]
    public void Default_cost_is_the_OWASP_2023_figure()
    {
        Assert.Equal(600_000, new PasswordHasher().Iterations);
        Assert.Equal(600_000, SecurityOptions.Default.Pbkdf2Iterations);
    }

    [Fact]
    public void Matches_the_RFC_7914_PBKDF2_HMAC_SHA256_vector()
    {
        // RFC 7914 §11: P = "passwd", S = "salt", c = 1; first 32 bytes of the 64-byte output.
        var expected = Convert.FromHexString("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
        var encoded = PasswordHasher.Format(new PasswordHashParts(1, "salt"u8.ToArray(), expected));
        Assert.True(PasswordHasher.Verify("passwd", encoded));
        Assert.False(PasswordHasher.Verify("passwe", encoded));
    }

    [Fact]
    public void A_stored_cost_below_the_current_one_needs_rehash()
    {
        var weak = new PasswordHasher(500).Hash("p4ssw0rd!");
        Assert.True(hasher.NeedsRehash(weak));
        Assert.False(hasher.NeedsRehash(hasher.Hash("p4ssw0rd!")));
        Assert.True(PasswordHasher.Verify("p4ssw0rd!", weak));
    }

    [Theory]
    [InlineData("")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHQ=")]
    [InlineData("pbkdf2-sha1$1000$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$0$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$-5$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$01000$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$999999999999$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$1000$not base64!$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==$extra")]
    public void Malformed_encodings_are_rejected(string encoded)
    {
        Assert.False(PasswordHasher.TryParse(encoded, out _));
        Assert.False(PasswordHasher.Verify("anything", encoded));
    }

    [Fact]
    public void Generated_passwords_are_long_and_distinct()
    {
        var a = PasswordHasher.GeneratePassword();
        Assert.Equal(24, a.Length);
        Assert.NotEqual(a, PasswordHasher.GeneratePassword());
        Assert.DoesNotContain('=', a);
    }

    static PasswordHashParts Parse(string encoded)
    {
        Assert.True(PasswordHasher.TryParse(encoded, out var parts));
        return parts;
    }

    [Fact]
    public void Comparison_is_over_the_full_derived_key()
    {
        var parts = Parse(hasher.Hash("p4ssw0rd!"));
        var flipped = (byte[])parts.Hash.Clone();
        flipped[^1] ^= 1;
        Assert.False(PasswordHasher.Verify("p4ssw0rd!", PasswordHasher.Format(parts with { Hash = flipped })));
    }
}
