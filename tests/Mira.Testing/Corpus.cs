namespace Mira.Testing;

public static class Corpus
{
}
