namespace Mira.Deid.Tests;

public sealed class TemporalShiftTests
{
    static readonly DateShift Shift = new(-10, -2 * 3600 - 17);

    [Fact]
    public void A_date_time_pair_rolls_back_across_midnight()
    {
        Assert.Equal(("20240304", "223943"), TemporalShift.ShiftPair("20240315", "004000", Shift));
        Assert.Equal(("20240305", "123943.125"), TemporalShift.ShiftPair("20240315", "144000.125", Shift));
    }

    [Fact]
    public void DT_keeps_its_UTC_offset_and_date_only_DT_moves_by_days()
    {
        Assert.Equal("20240305123943+0100", TemporalShift.ShiftDateTime("20240315144000+0100", Shift));
        Assert.Equal("20240305", TemporalShift.ShiftDateTime("20240315", Shift));
        Assert.Null(TemporalShift.ShiftDateTime("2024", Shift));
    }

    [Fact]
    public void Lone_dates_move_by_days_and_lone_times_by_seconds_modulo_a_day()
    {
        Assert.Equal("20240305", TemporalShift.ShiftDate("20240315", Shift.Days));
        Assert.Equal("20231222", TemporalShift.ShiftDate("2024.01.01", Shift.Days));
        Assert.Equal("223943", TemporalShift.ShiftTime("0040", Shift.Seconds));
        Assert.Equal("223943", TemporalShift.ShiftTime("00:40:00", Shift.Seconds));
        Assert.Null(TemporalShift.ShiftTime("25", Shift.Seconds));
        Assert.Null(TemporalShift.ShiftDate("20241301", Shift.Days));
    }

    [Fact]
    public void Intervals_are_kept_between_a_pair_and_a_date_time()
    {
        // Radiopharmaceutical Start DateTime 09:30, Series 10:30 the same day: one hour apart before and after.
        var inj = TemporalShift.ShiftDateTime("20240315093000", Shift)!;
        var (d, t) = TemporalShift.ShiftPair("20240315", "103000", Shift)!.Value;
        var a = DateTime.ParseExact(inj, "yyyyMMddHHmmss", null);
        var b = DateTime.ParseExact(d + t, "yyyyMMddHHmmss", null);
        Assert.Equal(TimeSpan.FromHours(1), b - a);
    }

    [Fact]
    public void Date_pairs_come_from_the_dictionary() =>
        Assert.Equal(Mira.Dicom.DicomTags.StudyTime.Value, TemporalShift.TimeOfDate[Mira.Dicom.DicomTags.StudyDate.Value]);

    [Fact]
    public void The_shift_is_per_patient_and_per_key()
    {
        var p = new Pseudonymizer(TestData.Key);
        Assert.Equal(p.ShiftFor("A"), new Pseudonymizer(TestData.Key).ShiftFor("A"));
        Assert.NotEqual(p.ShiftFor("A"), p.ShiftFor("B"));
        Assert.NotEqual(p.ShiftFor("A"), new Pseudonymizer(TestData.OtherKey).ShiftFor("A"));
        for (var i = 0; i < 200; i++)
        {
            var s = p.ShiftFor("patient" + i);
            Assert.InRange(s.Days, -Pseudonymizer.MaxShiftDays, -1);
            Assert.InRange(s.Seconds, -4 * 3600, -3600);
            Assert.NotEqual(0, s.Seconds % 60);
        }
    }
}
