using Tower.Contracts.Scripts;

namespace Tower.Scripting.Workers;

/// <summary>Binary forms of a script's <c>http</c> requests and their answers on the pipe between a worker and its service.</summary>
internal static class WorkerCodec
{
    public static void Write(BinaryWriter writer, int id, ScriptHttpRequest request)
    {
        writer.Write(id);
        writer.Write(request.Method);
        writer.Write(request.Url);
        ScriptCallCodec.WriteNullable(writer, request.Body);
        ScriptCallCodec.WriteNullable(writer, request.ContentType);
        ScriptCallCodec.WriteMap(writer, request.Headers);
        writer.Write(request.Timeout.Ticks);
    }

    public static (int Id, ScriptHttpRequest Request) ReadHttpRequest(BinaryReader reader) =>
        (reader.ReadInt32(), new ScriptHttpRequest(reader.ReadString(), reader.ReadString(), ScriptCallCodec.ReadNullable(reader), ScriptCallCodec.ReadNullable(reader),
            ScriptCallCodec.ReadMap(reader, StringComparer.OrdinalIgnoreCase), TimeSpan.FromTicks(reader.ReadInt64())));

    public static void WriteHttpAnswer(BinaryWriter writer, int id, ScriptHttpResponse? response, string? error)
    {
        writer.Write(id);
        writer.Write(response is not null);
        if (response is not null)
        {
            writer.Write(response.status);
            writer.Write(response.body);
            ScriptCallCodec.WriteMap(writer, response.headers);
        }
        else
        {
            writer.Write(error ?? "");
        }
    }

    public static (int Id, ScriptHttpResponse? Response, string? Error) ReadHttpAnswer(BinaryReader reader)
    {
        var id = reader.ReadInt32();
        return reader.ReadBoolean()
            ? (id, new ScriptHttpResponse(reader.ReadInt32(), reader.ReadString(), ScriptCallCodec.ReadMap(reader, StringComparer.OrdinalIgnoreCase).AsReadOnly()), null)
            : (id, null, reader.ReadString());
    }
}
