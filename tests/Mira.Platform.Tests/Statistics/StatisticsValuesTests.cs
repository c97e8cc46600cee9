using Mira.Platform.Statistics;

namespace Mira.Platform.Tests.Statistics;

public sealed class StatisticsValuesTests
{
    [Theory]
    [InlineData("045Y", null, null, "40-49")]
    [InlineData("009Y", null, null, "0-9")]
    [InlineData("018M", null, null, "0-9")]
    [InlineData("003W", null, null, "0-9")]
    [InlineData("091Y", null, null, "90+")]
    [InlineData(null, 19820615, 20240614, "40-49")] // the day before the 42nd birthday: 41
    [InlineData(null, 19820615, 20240615, "40-49")]
    [InlineData(null, 19800615, 20200614, "30-39")] // 39 the day before turning 40
    [InlineData(null, 19800615, 20200615, "40-49")]
    [InlineData(null, null, 20200615, "unknown")]
    [InlineData("45Y", null, null, "unknown")] // not an AS value (three digits and a unit, PS3.5 §6.2)
    [InlineData(null, 20250101, 20200101, "unknown")] // born after the study
    public void Age_bands_come_from_patients_age_else_from_birth_and_study_dates(string? age, int? birth, int? study, string band) =>
        Assert.Equal(band, StatisticsValues.AgeBand(age, birth, study));

    [Theory]
    [InlineData(20240131, "2024-01")]
    [InlineData(19991231, "1999-12")]
    [InlineData(null, "unknown")]
    [InlineData(20241301, "unknown")]
    public void Months_are_the_study_dates_year_and_month(int? date, string month) => Assert.Equal(month, StatisticsValues.Month(date));

    [Theory]
    [InlineData("F", "F")]
    [InlineData(" m", "M")]
    [InlineData("X", "unknown")]
    [InlineData(null, "unknown")]
    public void Sex_is_F_M_O_or_unknown(string? sex, string expected) => Assert.Equal(expected, StatisticsValues.Sex(sex));

    [Theory]
    [InlineData("dimse CT_SCANNER@10.0.0.5", "dimse CT_SCANNER")]
    [InlineData("stow-rs 10.0.0.5 alice", "stow-rs alice")]
    [InlineData("stow-rs alice", "stow-rs alice")]
    [InlineData("stow-rs ::1", "stow-rs")]
    [InlineData("import PACS bob", "import")]
    [InlineData("demo", "demo")]
    [InlineData(null, "unknown")]
    public void The_intake_route_names_the_calling_AE_or_uploading_account_and_never_an_address(string? source, string route) =>
        Assert.Equal(route, StatisticsValues.IntakeRoute(source));

    [Theory]
    [InlineData("modality,sex", new[] { "modality", "sex" })]
    [InlineData(" AgeBand , SITE ", new[] { "ageBand", "site" })]
    public void Dimensions_are_parsed_in_the_order_given_in_any_case(string by, string[] expected) =>
        Assert.Equal(expected, AggregateDimensions.Parse(by));

    [Theory]
    [InlineData("modality,weight", "unknown dimension 'weight'")]
    [InlineData("sex,Sex", "dimension 'sex' is named twice")]
    [InlineData("", "at least one dimension is required")]
    public void Bad_dimensions_are_refused_by_name(string by, string message)
    {
        var e = Assert.Throws<AggregateQueryException>(() => AggregateDimensions.Parse(by));
        Assert.Equal("by", e.Parameter);
        Assert.Contains(message, e.Message);
    }
}
