// The application core's zones, used throughout the host.
global using Mira.Platform;
global using Mira.Platform.Audit;
global using Mira.Platform.Intake;
global using Mira.Platform.Research;
global using Mira.Platform.Security;
