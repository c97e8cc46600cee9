using CsCheck;
using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class ValuePropertyTests
{
    static readonly Gen<DateOnly> GenDate =
        Gen.Int[DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber].Select(DateOnly.FromDayNumber);

    // Precision 0..8: hour, minute, second, then 1..6 fraction digits.
    static readonly Gen<DicomTime> GenTime =
        Gen.Select(Gen.Int[0, 23], Gen.Int[0, 59], Gen.Int[0, 60], Gen.Int[0, 999_999], Gen.Int[0, 8])
            .Select((h, m, s, us, p) => p switch
            {
                0 => new DicomTime(h, precision: DicomPrecision.Hour),
                1 => new DicomTime(h, m, precision: DicomPrecision.Minute),
                2 => new DicomTime(h, m, s),
                _ => new DicomTime(h, m, s, us - us % ValueText.Pow10[6 - (p - 2)], DicomPrecision.Fraction, p - 2),
            });

    static readonly Gen<DicomDateTime> GenDateTime =
        Gen.Select(GenDate, GenTime, Gen.Int[0, 9], Gen.Int[-12 * 60, 14 * 60], Gen.Bool)
            .Select((d, t, p, off, hasOff) =>
            {
                var precision = p <= 2 ? (DicomPrecision)p : t.Precision;
                var offset = hasOff ? TimeSpan.FromMinutes(off) : (TimeSpan?)null;
                return precision switch
                {
                    DicomPrecision.Year => new DicomDateTime(d.Year, precision: precision, offset: offset),
                    DicomPrecision.Month => new DicomDateTime(d.Year, d.Month, precision: precision, offset: offset),
                    DicomPrecision.Day => new DicomDateTime(d.Year, d.Month, d.Day, precision: precision, offset: offset),
                    _ => new DicomDateTime(d.Year, d.Month, d.Day, t.Hour, t.Minute, t.Second, t.Microsecond, t.Precision, t.FractionDigits, offset),
                };
            });

    [Fact]
    public void Date_format_then_parse_round_trips() =>
        GenDate.Sample(d =>
        {
            var text = new DicomDate(d).ToString();
            Assert.Null(DicomValueValidator.Validate(DicomVR.DA, text));
            Assert.Equal(d, DicomDate.Parse(text).ToDateOnly());
        });

    [Fact]
    public void Time_format_then_parse_round_trips() =>
        GenTime.Sample(t =>
        {
            var text = t.ToString();
            Assert.Null(DicomValueValidator.Validate(DicomVR.TM, text));
            Assert.Equal(t, DicomTime.Parse(text));
        });

    [Fact]
    public void Date_time_format_then_parse_round_trips() =>
        GenDateTime.Sample(dt =>
        {
            var text = dt.ToString();
            Assert.True(text.Length <= 26, text);
            Assert.Null(DicomValueValidator.Validate(DicomVR.DT, text));
            Assert.Equal(dt, DicomDateTime.Parse(text));
        });

    [Fact]
    public void Partial_date_time_contains_its_own_start_and_end() =>
        GenDateTime.Sample(dt =>
        {
            var range = new DicomDateTimeRange(dt, dt);
            Assert.True(range.Contains(dt));
            Assert.True(dt.StartUtcTicks(null) <= dt.EndUtcTicks(null));
        });

    [Fact]
    public void Decimal_string_format_then_parse_round_trips_when_digits_fit() =>
        Gen.Double.Where(double.IsFinite).Sample(v =>
        {
            var text = DicomNumberString.FormatDS(v);
            Assert.True(DicomNumberString.IsValidDS(text), text);
            var back = DicomNumberString.ParseDouble(text);
            if (v.ToString("R").Length <= 12) Assert.Equal(v, back);
            else Assert.Equal(v, back, Math.Abs(v) * 1e-7);
        });

    [Fact]
    public void Decimal_string_of_short_decimals_round_trips_exactly() =>
        Gen.Select(Gen.Long[-999_999_999, 999_999_999], Gen.Int[-20, 20]).Sample((m, e) =>
        {
            double v = double.Parse($"{m}E{e}", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(v, DicomNumberString.ParseDouble(DicomNumberString.FormatDS(v)));
        });

    [Fact]
    public void Integer_string_format_then_parse_round_trips() =>
        Gen.Int.Sample(i =>
        {
            var text = DicomNumberString.FormatIS(i);
            Assert.True(DicomNumberString.IsValidIS(text), text);
            Assert.Equal(i, DicomNumberString.ParseInt32(text));
        });

    [Fact]
    public void Uid_from_guid_is_valid_and_decodes_to_the_guid() =>
        Gen.Guid.Sample(g =>
        {
            var uid = DicomUid.FromGuid(g);
            Assert.True(DicomUid.IsValid(uid), uid);
            var n = UInt128.Parse(uid["2.25.".Length..]);
            Span<byte> bytes = stackalloc byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, n);
            Assert.Equal(g, new Guid(bytes, bigEndian: true));
        });

    [Fact]
    public void Uid_from_hash_is_valid() =>
        Gen.Byte.Array[16, 64].Sample(h => Assert.True(DicomUid.IsValid(DicomUid.FromHash(h))));

    [Fact]
    public void Swap_twice_is_identity() =>
        Gen.Select(Gen.Int[0, 3], Gen.Byte.Array[0, 64]).Sample((k, data) =>
        {
            int unit = 1 << k;
            var span = data.AsSpan(0, data.Length - data.Length % unit);
            var copy = span.ToArray();
            DicomBinary.SwapInPlace(span, unit);
            DicomBinary.SwapInPlace(span, unit);
            Assert.Equal(copy, span.ToArray());
        });

    [Fact]
    public void Binary_write_then_read_round_trips() =>
        Gen.Double.Array[0, 20].Sample(values =>
            Assert.Equal(values, DicomBinary.GetDoubles(DicomBinary.ToBytes<double>(values))));
}
