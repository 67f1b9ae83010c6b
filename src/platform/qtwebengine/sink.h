// The QWebChannel object of the bridge's privileged half (internal; see js/bridge_world.js): the page
// posts to it, and its toPage signal carries native messages to the page. Each slot answers with what
// native code delivered while it ran (webview/channel_deliveries.h). GUI thread only.
#pragma once

#include <QObject>
#include <QString>
#include <functional>

namespace dccview::webview_detail {

class BridgeSink : public QObject {
  Q_OBJECT

 public:
  std::function<QString(const QString&)> on_message;
  std::function<QString(const QString&)> on_eval_result;
  std::function<QString(int)> on_delivered;

 public Q_SLOTS:
  QString post(const QString& text) { return on_message ? on_message(text) : QString(); }
  QString evalResult(const QString& text) { return on_eval_result ? on_eval_result(text) : QString(); }
  QString delivered(int ack) { return on_delivered ? on_delivered(ack) : QString(); }

 Q_SIGNALS:
  // (document id, messages JSON, ack: 0, or a number the page echoes through delivered())
  void toPage(const QString& doc, const QString& messages, int ack);
};

}  // namespace dccview::webview_detail
