global using Mira.Platform.Intake;
global using Mira.Platform.Research;
global using Mira.Storage;
global using Mira.Storage.Tests;
global using Mira.Platform.Security;
global using Mira.Storage.Security;
global using Mira.Storage.Tests.Security;
