global using Mira.Platform;
global using Mira.Platform.Intake;
global using Mira.Platform.Jobs;
global using Mira.Platform.Research;
global using Mira.Platform.Security;
global using Mira.Platform.Demo;
