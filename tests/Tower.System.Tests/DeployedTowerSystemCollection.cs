namespace Tower.System.Tests;

[CollectionDefinition(Name)]
public sealed class DeployedTowerSystemCollection : ICollectionFixture<DeployedTowerSystem>
{
    public const string Name = "Tower deployed";
}
