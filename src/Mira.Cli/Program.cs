namespace Mira.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("mira: no command yet");
        return 2;
    }
}
