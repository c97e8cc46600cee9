namespace Mira.Platform.Deployment;

/// <summary>How deployments run (the model worker itself is configured with the evaluations' worker settings).</summary>
public sealed record DeploymentOptions
{
    /// <summary>The AE title Mira calls destinations with (C-STORE of results).</summary>
    public string CallingAe { get; init; } = "MIRA";

    /// <summary>How long a series must be quiet (no new instance) before its rules run, unless a rule sets its own.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest series a deployment runs on (instances); a larger one is refused with that reason.</summary>
    public int MaxSeriesInstances { get; init; } = 5000;

    /// <summary>The DICOMweb root work items name as their inputs' Retrieve URL (outside performers read the series there).</summary>
    public string RetrieveBaseUrl { get; init; } = "http://localhost/dicomweb";

    /// <summary>How long sending a result to a DICOMweb destination may take.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
