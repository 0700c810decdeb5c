
namespace Tower.Admin.Values;

public enum ValueKind
{
    Variable,
    Secret,
}
