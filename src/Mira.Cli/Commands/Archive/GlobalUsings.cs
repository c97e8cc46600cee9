// The application core, which every archive command opens through ArchiveLocation.OpenAsync.
global using Mira.Platform;
global using Mira.Platform.Audit;
global using Mira.Platform.Intake;
global using Mira.Platform.Security;
global using Mira.Conversion;
